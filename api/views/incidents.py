"""Incidents: read those the person may see, and report one as the reporting pages do, with
the same questions, the same checks (a patient's identifier is refused, and nothing of it
kept) and the same service (incidents.services.report_submit)."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from incidents import privacy, services
from incidents.forms import DetailForm, MedicineForm, ReportForm, SendForm, medicine_formset
from incidents.models import Incident, IncidentMedicine, Status
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.models import Organisation
from organisations.scoping import get_object_for
from organisations.validators import validate_ods_code

from ..forms import TIME_GIVEN, errors_of, fields_of, form_data
from ..pagination import keyset
from ..scopes import Scope
from .base import Endpoint, refused

# What the reporter answers on the pages, and what the API answers back: the forms' fields.
ASKED = [*ReportForm.base_fields, *DetailForm.base_fields]
MEDICINE = [*MedicineForm.base_fields, "cd_schedule", "high_risk_group"]
MOST_MEDICINES = 10  # as the reporting page takes (incidents.forms.MedicineFormSet)


class MedicineSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentMedicine
        fields = MEDICINE


@extend_schema_field({"type": "string", "pattern": TIME_GIVEN, "example": "14:30"})
class ClockTime(serializers.TimeField):
    """A time of day as the 24-hour clock, hours and minutes (a schema's "time" asks for a
    time zone, which a time on a ward does not have)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class IncidentSerializer(serializers.ModelSerializer):
    occurred_time = ClockTime(allow_null=True)
    organisation = serializers.CharField(source="organisation.ods_code")
    arose_in = serializers.CharField(source="arose_in.ods_code", allow_null=True, default=None)
    medicines = MedicineSerializer(many=True)

    class Meta:
        model = Incident
        fields = ["reference", "organisation", "status", "reported_at", *ASKED, "arose_in"]
        fields += ["medicines", "lfpse_state", "lfpse_reference"]


SubmittedMedicine = type("SubmittedMedicine", (serializers.Serializer,), fields_of(MedicineForm))


class IncidentSubmission(serializers.Serializer):
    """A report: the organisation it is for, then the questions of the two reporting pages.
    Always named: a token names its person (to report anonymously, use the reporting pages)."""

    organisation = serializers.CharField(help_text="The ODS code of the organisation reporting")
    medicines = SubmittedMedicine(many=True, max_length=MOST_MEDICINES)

    def get_fields(self):
        fields = super().get_fields()
        fields.update(fields_of(ReportForm))
        fields.update(fields_of(SendForm, leave_out=("anonymous",)))
        return fields

    def to_internal_value(self, body):
        """The pages' forms read the body (api.forms): their refusals, by field, are the
        answer's errors; nothing is kept of a refused report."""
        organisation = self.context["organisation"]
        shapes = privacy.shapes_for(organisation)
        errors = {}
        if body.get("anonymous") not in (None, "no", False):
            errors["anonymous"] = [
                "A report through the API is always named: report anonymously on the "
                "reporting pages"
            ]
        step1, wrong = form_data(ReportForm, body)
        errors |= wrong
        step2, wrong = form_data(SendForm, body | {"anonymous": "no"})
        errors |= wrong
        rows, wrong = _medicine_data(body.get("medicines"))
        errors |= wrong
        first = ReportForm(step1, identifier_shapes=shapes)
        send = SendForm(step2)
        medicines = medicine_formset(rows, identifier_shapes=shapes)
        if not first.is_valid():
            errors = errors_of(first) | errors
        if not send.is_valid():
            errors = errors_of(send) | errors
        if "medicines" not in errors and not medicines.is_valid():
            listed = {str(i): errors_of(form) for i, form in enumerate(medicines.forms)}
            errors["medicines"] = {i: found for i, found in listed.items() if found} or [
                str(message) for message in medicines.non_form_errors()
            ]
        if errors:
            raise serializers.ValidationError(errors)
        return {
            "details": first.details() | send.details(),
            "medicines": medicines.medicines(),
            "arose_in": send.arose_in_organisation,
        }


def _medicine_data(rows):
    """The medicines as the page's formset posts them, and what is refused of their shape."""
    if not isinstance(rows, list) or not rows:
        return None, {"medicines": ["Enter at least one medicine"]}
    if len(rows) > MOST_MEDICINES:
        return None, {"medicines": [f"Enter at most {MOST_MEDICINES} medicines"]}
    data, _ = form_data(MedicineForm, {}, prefix="medicines-")
    data.update(
        {
            "medicines-TOTAL_FORMS": str(len(rows)),
            "medicines-INITIAL_FORMS": "0",
            "medicines-MIN_NUM_FORMS": "1",
            "medicines-MAX_NUM_FORMS": str(MOST_MEDICINES),
        }
    )
    errors = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[str(i)] = {"non_field_errors": ["Send each medicine as an object"]}
            continue
        _, wrong = form_data(MedicineForm, row, prefix=f"medicines-{i}-", into=data)
        if wrong:
            errors[str(i)] = wrong
    return data, {"medicines": errors} if errors else {}


RELATED = ("organisation", "arose_in")


def _medicines() -> Prefetch:
    return Prefetch("medicines", queryset=IncidentMedicine.objects.order_by("position", "pk"))


def _incidents(queryset):
    return queryset.select_related(*RELATED).prefetch_related(_medicines())


class IncidentList(Endpoint):
    """The incidents the person may see (their safety team's organisations, and those they
    reported), newest first; and reporting one."""

    form_errors = True  # refused by the pages' forms (api.forms)
    scopes = {"GET": Scope.INCIDENTS_READ, "POST": Scope.INCIDENTS_SUBMIT}
    serializer_class = IncidentSerializer
    pagination_class = keyset("-occurred_on", "-tiebreak")  # the list's own index

    @extend_schema(
        operation_id="incidents_list",
        responses=IncidentSerializer(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=Status.values),
            OpenApiParameter("organisation", str, description="An ODS code"),
        ],
    )
    def get(self, request):
        incidents = _incidents(Incident.objects.visible_to(request.user))
        if state := self.param("status", choices=Status.values):
            incidents = incidents.filter(status=state)
        if code := self.param("organisation", limit=10):
            incidents = incidents.filter(organisation__ods_code=code.upper())
        return self.page(incidents)

    @extend_schema(
        operation_id="incidents_create",
        request=IncidentSubmission,
        responses={201: IncidentSerializer},
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object"]})
        organisation = self._reporting_for(request)
        submission = IncidentSubmission(data=request.data, context={"organisation": organisation})
        submission.is_valid(raise_exception=True)
        answers = submission.validated_data
        try:
            incident, _receipt = services.report_submit(
                by=request.user,
                organisation=organisation,
                details=answers["details"],
                medicines=answers["medicines"],
                arose_in=answers["arose_in"],
            )
        except ValidationError as refusal:
            raise refused(refusal) from None
        reported = _incidents(Incident.objects.visible_to(request.user)).filter(pk=incident.pk)
        incident = reported.first() or incident
        location = reverse("api:incident", args=[incident.reference])
        body = IncidentSerializer(incident).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def _reporting_for(request) -> Organisation:
        """The organisation named in the body, where the person may report (as on the pages:
        an organisation they are a member of)."""
        code = request.data.get("organisation")
        if not isinstance(code, str) or not code.strip():
            raise serializers.ValidationError(
                {"organisation": ["Enter the ODS code of the organisation reporting"]}
            )
        code = code.strip().upper()
        try:
            validate_ods_code(code)
        except ValidationError as refusal:
            raise serializers.ValidationError({"organisation": refusal.messages}) from None
        organisation = Organisation.objects.visible_to(request.user).filter(ods_code=code).first()
        if organisation is None or not access_for(request.user).has(
            Perm.INCIDENTS_REPORT, organisation
        ):
            raise PermissionDenied(
                "You report incidents for an organisation you are a member of. "
                "Ask its MSO to add you."
            )
        return organisation


class IncidentDetail(Endpoint):
    scopes = {"GET": Scope.INCIDENTS_READ}
    serializer_class = IncidentSerializer

    @extend_schema(operation_id="incidents_retrieve")
    def get(self, request, reference):
        incident = get_object_for(
            request.user,
            Incident.objects.select_related(*RELATED).prefetch_related(_medicines()),
            reference=reference,
        )
        return Response(IncidentSerializer(incident).data)
