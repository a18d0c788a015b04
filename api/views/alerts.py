"""National patient safety alerts as they reached the person's organisations, with each
organisation's response; and recording what was done about one required action, as the
action's page does (alerts.forms.ActionAnswerForm, alerts.services.action_response_save)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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
from .base import Endpoint, refused


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


RELATED = ("alert", "organisation")


def _answers(user) -> Prefetch:
    """The answers to a response's actions that the person sees, in the alert's order."""
    answers = (
        AlertActionResponse.objects.visible_to(user)
        .select_related("action", "owner")
        .order_by("action__position", "pk")
    )
    return Prefetch("action_responses", queryset=answers, to_attr="seen_actions")


def _responses(user):
    return (
        AlertResponse.objects.visible_to(user)
        .select_related(*RELATED)
        .prefetch_related(_answers(user))
    )


class ResponseList(Endpoint):
    """The organisations' responses to the alerts that reached them, newest first."""

    scopes = {"GET": Scope.ALERTS_READ}
    serializer_class = AlertResponseSerializer

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
        if state := self.param("state", choices=ResponseState.values):
            responses = responses.filter(state=state)
        if code := self.param("organisation", limit=10):
            responses = responses.filter(organisation__ods_code=code.upper())
        return self.page(responses)


class ResponseDetail(Endpoint):
    scopes = {"GET": Scope.ALERTS_READ}
    serializer_class = AlertResponseSerializer

    @extend_schema(operation_id="alert_responses_retrieve")
    def get(self, request, pk):
        response = get_object_for(
            request.user,
            AlertResponse.objects.select_related(*RELATED).prefetch_related(_answers(request.user)),
            pk=pk,
        )
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
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object"]})
        body = request.data
        organisation = answer.response.organisation
        changes = {name: body[name] for name in ("state", "done_on", "evidence") if name in body}
        if "owner" in body:
            if not access_for(request.user).has(Perm.ALERTS_RESPOND, answer.response):
                raise serializers.ValidationError(
                    {"owner": ["Only whoever leads the response says who owns an action"]}
                )
            changes["owner"] = _member_id(organisation, body["owner"])
        if not changes:  # nothing to record: nothing is written, nobody told
            return Response(ActionAnswerSerializer(answer).data)
        kept = {
            "state": answer.state,
            "done_on": answer.done_on.isoformat() if answer.done_on else None,
            "evidence": answer.evidence,
        }
        data, wrong = form_data(ActionAnswerForm, kept | changes)
        if wrong:
            raise serializers.ValidationError(wrong)
        if "owner" in changes:
            data["owner"] = changes["owner"]
        elif answer.owner_id:
            data["owner"] = str(answer.owner_id)
        form = ActionAnswerForm(data, organisation=organisation, action=answer)
        if not form.is_valid():
            raise serializers.ValidationError(errors_of(form))
        try:
            services.action_response_save(by=request.user, answer=answer, **form.cleaned_data)
        except ValidationError as refusal:
            raise refused(refusal) from None
        answer.refresh_from_db()
        return Response(ActionAnswerSerializer(answer).data)


def _member_id(organisation, email) -> str:
    """The form's choice of owner for the member with this email address (their id); "" for
    none. An address that is not a member's is refused."""
    if email in (None, ""):
        return ""
    try:
        validate_email(email if isinstance(email, str) else "")
    except ValidationError:
        raise serializers.ValidationError({"owner": ["Enter an email address"]}) from None
    found = members_of(organisation).filter(email=email.strip().lower()).first()
    if found is None:
        raise serializers.ValidationError(
            {"owner": ["Name a member of the organisation by their email address"]}
        )
    return str(found.pk)
