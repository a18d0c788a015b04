"""National patient safety alerts as they reached the person's organisations, with each
organisation's response; and recording what was done about one required action, as the
action's page does (alerts.forms.ActionAnswerForm, alerts.services.action_response_save)."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from alerts import services
from alerts.choices import ActionState, ResponseState
from alerts.forms import ActionAnswerForm
from alerts.models import AlertActionResponse, AlertResponse
from alerts.permissions import Perm
from organisations.access import access_for
from organisations.scoping import get_object_for
from organisations.services import members_of

from ..forms import errors_of, field_for, form_data
from ..scopes import Scope
from .base import Endpoint, Pages


class AlertSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    issuer = serializers.CharField()
    alert_type = serializers.CharField()
    issued_on = serializers.DateField()
    link = serializers.CharField(allow_blank=True)


class ActionAnswerSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="action.description")
    due_on = serializers.DateField(source="action.due_on")
    owner = serializers.EmailField(source="owner.email", allow_null=True, default=None)

    class Meta:
        model = AlertActionResponse
        fields = ["id", "description", "due_on", "state", "owner", "done_on", "evidence"]


class AlertResponseSerializer(serializers.ModelSerializer):
    alert = AlertSerializer()
    organisation = serializers.CharField(source="organisation.ods_code")
    actions = ActionAnswerSerializer(many=True, source="seen_actions")

    class Meta:
        model = AlertResponse
        fields = [
            "id",
            "alert",
            "organisation",
            "state",
            "next_due_on",
            "acknowledged_at",
            "signed_off_at",
            "completed_at",
            "actions",
        ]


def _responses(user):
    answers = (
        AlertActionResponse.objects.visible_to(user)
        .select_related("action", "owner")
        .order_by("action__position", "pk")
    )
    return (
        AlertResponse.objects.visible_to(user)
        .select_related("alert", "organisation")
        .prefetch_related(Prefetch("action_responses", queryset=answers, to_attr="seen_actions"))
    )


class Newest(Pages):
    ordering = ("-id",)


class ResponseList(Endpoint):
    """The organisations' responses to the alerts that reached them, newest first."""

    scopes = {"GET": Scope.ALERTS_READ}
    serializer_class = AlertResponseSerializer
    pagination_class = Newest

    @extend_schema(
        operation_id="alert_responses_list",
        responses=AlertResponseSerializer(many=True),
        parameters=[
            OpenApiParameter("state", str, enum=ResponseState.values),
            OpenApiParameter("organisation", str, description="An ODS code"),
        ],
    )
    def get(self, request):
        responses = _responses(request.user)
        if (state := request.query_params.get("state")) in ResponseState.values:
            responses = responses.filter(state=state)
        if code := request.query_params.get("organisation", "")[:10]:
            responses = responses.filter(organisation__ods_code=code.upper())
        return self.page(responses)


class ResponseDetail(Endpoint):
    scopes = {"GET": Scope.ALERTS_READ}
    serializer_class = AlertResponseSerializer

    @extend_schema(operation_id="alert_responses_retrieve")
    def get(self, request, pk):
        response = get_object_for(request.user, _responses(request.user), pk=pk)
        return Response(AlertResponseSerializer(response).data)


class ActionAnswerChange(serializers.Serializer):
    """What was done about the action: each field left out keeps what is recorded."""

    state = serializers.ChoiceField(choices=ActionState.choices, required=False)
    owner = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="A member of the organisation (only whoever may assign actions changes it)",
    )
    done_on = field_for(ActionAnswerForm.base_fields["done_on"])
    evidence = field_for(ActionAnswerForm.base_fields["evidence"])


class ActionAnswerDetail(Endpoint):
    form_errors = True  # refused by the pages' forms (api.forms)
    scopes = {"PATCH": Scope.ALERTS_ACT}
    serializer_class = ActionAnswerSerializer

    @extend_schema(
        operation_id="alert_actions_partial_update",
        request=ActionAnswerChange,
        responses={200: ActionAnswerSerializer},
    )
    def patch(self, request, pk):
        answer = get_object_for(
            request.user,
            AlertActionResponse.objects.select_related("action", "response__organisation"),
            Perm.ALERTS_ACT,
            pk=pk,
        )
        body = request.data if isinstance(request.data, dict) else {}
        organisation = answer.response.organisation
        may_assign = access_for(request.user).has(Perm.ALERTS_RESPOND, answer.response)
        kept = {
            "state": answer.state,
            "done_on": answer.done_on.isoformat() if answer.done_on else None,
            "evidence": answer.evidence,
            "owner": answer.owner_id,
        }
        changes = {name: body[name] for name in ("state", "done_on", "evidence") if name in body}
        if "owner" in body and may_assign:
            changes["owner"] = _member_id(organisation, body["owner"])
        form = ActionAnswerForm(
            form_data(ActionAnswerForm, kept | changes),
            organisation=organisation,
            action=answer,
            initial={"owner": answer.owner},
        )
        if not may_assign:
            form.fields["owner"].disabled = True
        if not form.is_valid():
            raise serializers.ValidationError(errors_of(form))
        try:
            services.action_response_save(by=request.user, answer=answer, **form.cleaned_data)
        except ValidationError as refused:
            raise serializers.ValidationError(
                refused.message_dict if hasattr(refused, "error_dict") else refused.messages
            ) from None
        answer.refresh_from_db()
        return Response(ActionAnswerSerializer(answer).data)


def _member_id(organisation, email):
    """The member named by their email address, as the form's choice of owner (its id); an
    address that names no member is refused by the form."""
    if email in (None, ""):
        return None
    if not isinstance(email, str):
        return "unknown"
    found = members_of(organisation).filter(email=email.strip().lower()).first()
    return found.pk if found else "unknown"
