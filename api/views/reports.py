"""The figures of approved assurance reports, as they were approved (a report keeps them:
committees/figures.py), for the committees the person sits on or runs."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from committees.choices import ReportState
from committees.figures import key_figures
from committees.models import AssuranceReport
from organisations.scoping import get_object_for

from ..scopes import Scope
from .base import Endpoint


class KeyFigures(serializers.Serializer):
    incidents = serializers.IntegerField()
    previous = serializers.IntegerField(help_text="Incidents in the period before")
    moderate_or_worse = serializers.IntegerField()
    never_events = serializers.IntegerField()
    special_cause = serializers.BooleanField(
        help_text="A month of the period shows special cause variation (Making Data Count)"
    )
    alerts_on_time = serializers.IntegerField()
    alerts_late = serializers.IntegerField()
    alerts_overdue = serializers.IntegerField()
    actions_overdue = serializers.IntegerField()
    mso = serializers.CharField(allow_blank=True, allow_null=True, help_text="Who was MSO")
    meetings = serializers.IntegerField()
    quorate = serializers.IntegerField()


class ReportSerializer(serializers.ModelSerializer):
    committee = serializers.CharField(source="committee.name")
    organisation = serializers.CharField(source="committee.organisation.ods_code")
    key_figures = serializers.SerializerMethodField()
    figures = serializers.JSONField(source="snapshot", help_text="Every figure, as approved")

    class Meta:
        model = AssuranceReport
        fields = [
            "id",
            "committee",
            "organisation",
            "period_start",
            "period_end",
            "state",
            "approved_at",
            "submitted_at",
            "key_figures",
            "figures",
        ]

    @extend_schema_field(KeyFigures(allow_null=True))
    def get_key_figures(self, report):
        try:
            return KeyFigures(key_figures(report.snapshot)).data
        except (KeyError, TypeError, ValueError, IndexError):  # kept before a figure existed
            return None


APPROVED = ~Q(state=ReportState.DRAFT)


class ReportList(Endpoint):
    scopes = {"GET": Scope.REPORTS_READ}
    serializer_class = ReportSerializer

    @extend_schema(operation_id="reports_list", responses=ReportSerializer(many=True))
    def get(self, request):
        reports = AssuranceReport.objects.visible_to(request.user).filter(APPROVED)
        return self.page(reports.select_related("committee__organisation"))


class ReportDetail(Endpoint):
    scopes = {"GET": Scope.REPORTS_READ}
    serializer_class = ReportSerializer

    @extend_schema(operation_id="reports_retrieve")
    def get(self, request, pk):
        report = get_object_for(
            request.user,
            AssuranceReport.objects.filter(APPROVED).select_related("committee__organisation"),
            pk=pk,
        )
        return Response(ReportSerializer(report).data)
