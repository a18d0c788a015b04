"""Assurance reports: the chair or secretary prepares one for a period and writes the chair's
narrative on its sections; the chair approves it (its figures kept, its PDF made by a task
whose progress the page shows) and records it submitted to the board. An ICB's MSO and the
network leads set the approved reports of the organisations they cover side by side."""

import datetime
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from committees.permissions import Perm
from core.forms import error_codes, form_page, submitted
from core.http import Refused, allow, query_string_without_page
from core.uploads import download
from organisations.access import access_for
from organisations.scoping import get_object_for

from .. import figures, services
from ..choices import ReportState
from ..forms import CompareForm, NarrativeForm, ReportForm
from ..models import AssuranceReport
from .common import get_committee

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


def _report(request, ods_code, pk, report_pk, perm=None) -> AssuranceReport:
    committee = get_committee(request, ods_code, pk)
    report = get_object_for(
        request.user,
        AssuranceReport.objects.filter(committee=committee).select_related(
            "approved_by", "submitted_by"
        ),
        perm,
        pk=report_pk,
    )
    report.committee = committee
    return report


def _report_url(report, name="committees:report") -> str:
    committee = report.committee
    return reverse(name, args=[committee.organisation.ods_code, committee.pk, report.pk])


@allow("GET", "POST")
def report_create(request, ods_code, pk):
    """Prepare a draft for a period; for a period that has one, open that draft instead."""
    committee = get_committee(request, ods_code, pk, Perm.COMMITTEES_MANAGE)
    start, end = figures.last_quarter(timezone.localdate())
    drafts = AssuranceReport.objects.visible_to(request.user).filter(
        committee=committee, state=ReportState.DRAFT
    )
    return form_page(
        request,
        ReportForm(submitted(request), initial={"period_start": start, "period_end": end}),
        "committees/report_form.html",
        {"committee": committee, "drafts": drafts.order_by("-period_end", "-pk")},
        save=lambda data: services.report_create(by=request.user, committee=committee, **data),
        saved=lambda report: (
            "A draft report for this period is already being prepared: here it is, with what "
            "has been written in it"
            if report.already_drafted
            else "The draft report is ready: write the chair's narrative"
        ),
        then=lambda report: reverse("committees:report", args=[ods_code, pk, report.pk]),
        refusal_field="period_end",
    )


def _render_report(request, report, *, back, back_text, pdf_url, pdf_status_url="", **more):
    """A report's page, for its committee or for those who compare it: the same sections and
    figures, with the links and the controls of whoever reads it."""
    context = {
        **figures.report_context(report),
        "back": back,
        "back_text": back_text,
        "pdf_url": pdf_url,
        "pdf_status_url": pdf_status_url,
        # How long a PDF may take (its task's time limit), after which it could not be made.
        "pdf_minutes": -(-settings.REPORT_PDF_SECONDS // 60),
        "pdf_seconds": settings.REPORT_PDF_SECONDS,
        "can_edit": False,
        "can_approve": False,
        "error": None,
        **more,
    }
    return render(request, "committees/report_detail.html", context)


def _report_page(request, report, error=None):
    perms = access_for(request.user).permissions(report.committee.organisation)
    return _render_report(
        request,
        report,
        back=report.committee.get_absolute_url(),
        back_text="Back to the committee",
        pdf_url=_report_url(report, "committees:report_pdf"),
        pdf_status_url=_report_url(report, "committees:report_pdf_status"),
        can_edit=report.is_draft and Perm.COMMITTEES_MANAGE in perms,
        can_approve=Perm.COMMITTEE_REPORTS_APPROVE in perms,
        error=error,
    )


@allow("GET")
def report_detail(request, ods_code, pk, report_pk):
    return _report_page(request, _report(request, ods_code, pk, report_pk))


@allow("GET", "POST")
def narrative_update(request, ods_code, pk, report_pk, section):
    report = _report(request, ods_code, pk, report_pk, Perm.COMMITTEES_MANAGE)
    titles = {key: title for key, title, _ in figures.SECTIONS}
    if section not in titles:
        raise Http404("No such section")
    return form_page(
        request,
        NarrativeForm(submitted(request), initial={"text": report.narratives.get(section)}),
        "committees/narrative_form.html",
        {"report": report, "committee": report.committee, "title": titles[section]},
        save=lambda data: services.narrative_save(
            by=request.user, report=report, section=section, text=data["text"]
        ),
        saved=f"The narrative of {titles[section]} is saved",
        then=lambda _: f"{_report_url(report)}#{section}",
        refusal_field="text",
    )


@allow("POST")
def report_refigure(request, ods_code, pk, report_pk):
    """Work a draft's figures out again now, rather than when they are ten minutes old."""
    report = _report(request, ods_code, pk, report_pk, Perm.COMMITTEES_MANAGE)
    if not report.is_draft:
        messages.error(request, "An approved report keeps its figures as they were then")
        return redirect(_report_url(report))
    figures.forget_draft_figures(report)
    messages.success(request, "The figures are worked out again from the data as it is now")
    return redirect(_report_url(report))


def _decision(write, done: str):
    """A view that approves a report, submits it, or asks for its PDF again (the chair's
    alone): a refusal is shown on the report's page; a second press of the button (done
    already) goes back to the report, saying so."""

    @allow("POST")
    def decide(request, ods_code, pk, report_pk):
        report = _report(request, ods_code, pk, report_pk, Perm.COMMITTEE_REPORTS_APPROVE)
        try:
            write(by=request.user, report=report)
        except ValidationError as error:
            if services.ALREADY in error_codes(error):
                messages.info(request, error.messages[0])
                return redirect(_report_url(report))
            return _report_page(request, report, error=error.messages[0])
        messages.success(request, done.format(report=report))
        return redirect(_report_url(report))

    decide.__name__ = write.__name__
    return decide


report_approve = _decision(
    services.report_approve, "The report is approved: its figures are kept as they are now"
)
report_submit = _decision(
    services.report_submit, "The report is submitted to the {report.committee.reports_to}"
)
report_pdf_again = _decision(services.report_pdf_again, "The PDF is being made again")


@allow("GET")
def report_pdf_status(request, ods_code, pk, report_pk):
    """How far the PDF has got, for the report page to show while it waits."""
    report = _report(request, ods_code, pk, report_pk)
    state = report.pdf_progress
    return JsonResponse(
        {"state": state.value, "label": state.label, "ready": bool(report.pdf)},
        headers={"Cache-Control": "no-store"},
    )


def _download(request, report):
    """The approved report's PDF, as it was made on approval: a board paper never changes."""
    if not report.pdf:
        raise Http404("The report has no PDF yet")
    try:
        made = report.pdf.open("rb")
    except FileNotFoundError:  # the file store lost it (restored from an older backup)
        logger.error("The PDF of assurance report %s is not in the file store", report.pk)
        return render(request, "committees/report_pdf_lost.html", {"report": report}, status=404)
    return download(
        made,
        filename=f"assurance-report-{report.committee.organisation.ods_code}-"
        f"{report.period_start:%Y-%m-%d}-to-{report.period_end:%Y-%m-%d}.pdf",
        content_type="application/pdf",
    )


@allow("GET")
def report_pdf(request, ods_code, pk, report_pk):
    return _download(request, _report(request, ods_code, pk, report_pk))


# Side by side ------------------------------------------------------------------------------


def _compared(request):
    if not access_for(request.user).has(Perm.COMMITTEE_REPORTS_COMPARE):
        raise Refused(
            "An ICB's MSO and the MSO networks' leads see the approved assurance reports of the "
            "organisations they cover. Your own committee's reports are on its page."
        )
    return AssuranceReport.objects.visible_to(
        request.user, Perm.COMMITTEE_REPORTS_COMPARE
    ).select_related("committee__organisation", "approved_by", "submitted_by")


def _periods(reports) -> list[tuple[datetime.date, datetime.date]]:
    return list(
        reports.order_by("-period_end", "-period_start")
        .values_list("period_start", "period_end")
        .distinct()
    )


@allow("GET")
def compare(request):
    """The approved reports of one period, of the organisations the person covers, with their
    key figures side by side: the latest period unless another is chosen."""
    reports = _compared(request)
    periods = _periods(reports)
    keys = [CompareForm.key(*period) for period in periods]
    data = request.GET.copy()
    if data.get("period") not in keys:  # none chosen, or one with no report: the latest
        data["period"] = keys[0] if keys else ""
    form = CompareForm(data, periods=periods)
    chosen = form.values()
    start, end = periods[keys.index(chosen["period"])] if chosen.get("period") else (None, None)
    shown = reports.filter(period_start=start, period_end=end).order_by(
        "committee__organisation__name", "committee__name", "pk"
    )
    if chosen.get("region"):
        shown = shown.filter(committee__organisation__region=chosen["region"])
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"report": report, "key": figures.key_figures(report.snapshot)} for report in page]
    context = {
        "form": form,
        "start": start,
        "end": end,
        "page": page,
        "rows": rows,
        "query_string": query_string_without_page(request),
    }
    return render(request, "committees/compare.html", context)


def _compared_report(request, report_pk) -> AssuranceReport:
    return get_object_or_404(_compared(request), pk=report_pk)


@allow("GET")
def compared_report(request, report_pk):
    """One of the approved reports compared, as its committee reads it."""
    report = _compared_report(request, report_pk)
    return _render_report(
        request,
        report,
        back=reverse("committees:compare"),
        back_text="Back to the reports side by side",
        pdf_url=reverse("committees:compared_pdf", args=[report.pk]),
    )


@allow("GET")
def compared_pdf(request, report_pk):
    return _download(request, _compared_report(request, report_pk))
