"""National alerts: recorded from CAS, imported and published by the national patient safety
team or a site administrator; read by everyone they reach; and the national view of who has
responded, for that team and the network leads (a regional lead, their region), from the
tallies, with drill-down to the organisations (never to their evidence) and exports of exactly
the rows shown."""

import logging
from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from alerts.permissions import Perm
from core import exports
from core.forms import show_refusal, submitted
from core.http import allow, query_string_without_page
from core.replica import replica_reads
from organisations import register
from organisations.access import access_for
from organisations.choices import OrganisationKind, Region
from organisations.models import Organisation

from .. import charts, choices, feeds, importing, services
from ..effect import effect_in
from ..forms import AlertForm, ComplianceFilterForm, ImportForm, action_formset
from ..models import Alert, AlertResponse, AlertTally, OrganisationDeadline

logger = logging.getLogger(__name__)
PAGE_SIZE = 50


def _access(request):
    return access_for(request.user)


def _require(request, perm):
    if not _access(request).has(perm):
        raise PermissionDenied


def alert_for(request, alert_id) -> Alert:
    """A published alert, for anyone signed in (national alerts are public documents); a draft
    for those who publish them."""
    access = _access(request)
    alerts = Alert.objects.all() if access.has(Perm.ALERTS_PUBLISH) else Alert.objects.published()
    return get_object_or_404(alerts.prefetch_related("actions", "medicines"), pk=alert_id)


def _sums(today) -> dict:
    """Acknowledged, completed, not applicable, open and overdue responses, of tally rows."""
    open_states = list(choices.OPEN_STATES)
    return {
        "total": Sum("count", default=0),
        "acknowledged": Sum("count", default=0, filter=~Q(state=choices.ResponseState.NEW)),
        "completed": Sum("count", default=0, filter=Q(state=choices.ResponseState.COMPLETED)),
        "not_applicable": Sum(
            "count", default=0, filter=Q(state=choices.ResponseState.NOT_APPLICABLE)
        ),
        "open": Sum("count", default=0, filter=Q(state__in=open_states)),
        "overdue": Sum("count", default=0, filter=Q(state__in=open_states, next_due_on__lt=today)),
    }


def _by_region(tallies, today) -> tuple[dict, dict]:
    """The figures of these tally rows, all told and in each region (for its chart), from one
    query grouped by region."""
    sums = _sums(today)
    waiting = Q(state=choices.ResponseState.NEW, next_due_on__gte=today)
    grouped = list(
        tallies.values("region")
        .annotate(**sums, waiting=Sum("count", default=0, filter=waiting))
        .order_by("region")
    )
    figures = {name: sum(row[name] for row in grouped) for name in sums}
    return figures, charts.compliance_by_region(grouped)


def _regions_seen(request) -> set[str] | None:
    """The regions whose figures the person sees: None for every one, or their own."""
    access = _access(request)
    if access.has(Perm.ALERTS_PUBLISH) or _national(access):
        return None
    return _regions(access)


def _tallies_seen(request, alert_ids):
    """The tally rows of these alerts that the person sees: every region, or their own."""
    tallies = AlertTally.objects.filter(alert_id__in=alert_ids)
    regions = _regions_seen(request)
    return tallies if regions is None else tallies.filter(region__in=regions)


def _national(access) -> bool:
    from organisations.permissions import Reach

    return any(
        Perm.ALERTS_COMPLIANCE in rule.perms and rule.reach == Reach.ALL
        for rule, _ in access.matches
    )


def _regions(access) -> set[str]:
    return {
        grant.region
        for rule, grant in access.matches
        if Perm.ALERTS_COMPLIANCE in rule.perms and grant.region
    }


@allow("GET")
def alert_list(request):
    """Every alert, newest first, each with its national figures."""
    access = _access(request)
    if not (access.has(Perm.ALERTS_COMPLIANCE) or access.has(Perm.ALERTS_PUBLISH)):
        return redirect("alerts:inbox")
    today = timezone.localdate()
    alerts = list(
        Alert.objects.all() if access.has(Perm.ALERTS_PUBLISH) else Alert.objects.published()
    )[:300]
    rows = {}
    for row in (
        _tallies_seen(request, [a.pk for a in alerts])
        .values("alert_id")
        .annotate(
            total=Sum("count"),
            acknowledged=Sum("count", filter=~Q(state=choices.ResponseState.NEW)),
            completed=Sum(
                "count",
                filter=Q(
                    state__in=(
                        choices.ResponseState.COMPLETED,
                        choices.ResponseState.NOT_APPLICABLE,
                    )
                ),
            ),
            overdue=Sum(
                "count", filter=Q(state__in=list(choices.OPEN_STATES), next_due_on__lt=today)
            ),
        )
        .order_by()
    ):
        rows[row["alert_id"]] = row
    context = {
        "alerts": [(alert, rows.get(alert.pk, {})) for alert in alerts],
        "can_publish": access.has(Perm.ALERTS_PUBLISH),
        "can_see_compliance": access.has(Perm.ALERTS_COMPLIANCE),
    }
    return render(request, "alerts/alert_list.html", context)


@allow("GET")
def alert_detail(request, alert_id):
    alert = alert_for(request, alert_id)
    access = _access(request)
    today = timezone.localdate()
    mine = list(
        AlertResponse.objects.visible_to(request.user)
        .filter(alert=alert)
        .select_related("organisation")
        .order_by("organisation__name")[:50]
    )
    context = {
        "alert": alert,
        "responses": mine,
        # The responses whose organisation's chain (committees, board reports) the person sees.
        "chains": {r.pk for r in mine if Perm.ALERTS_VIEW in access.permissions(r.organisation)},
        "can_publish": access.has(Perm.ALERTS_PUBLISH),
        "can_see_compliance": access.has(Perm.ALERTS_COMPLIANCE),
        "today": today,
    }
    if alert.is_published and context["can_see_compliance"]:
        from incidents.charts import columns

        tallies = _tallies_seen(request, [alert.pk])
        context["figures"], context["by_region"] = _by_region(tallies, today)
        found = effect_in(alert, _regions_seen(request), on=today)
        context["effect"], context["effect_chart"] = found, columns(found.months)
    if not alert.is_published and context["can_publish"]:
        context["reach"] = services.recipients_of(alert).count()
    return render(request, "alerts/alert_detail.html", context)


def _alert_form(request, alert: Alert):
    """Write or change an alert. A published alert's actions stay as they are: organisations
    are answering them (its words and medicines can still be put right)."""
    posted = request.method == "POST"
    published = alert.pk is not None and alert.is_published
    form = AlertForm(request.POST if posted else None, instance=alert)
    actions = None
    if not published:
        initial = [
            {"description": a.description, "due_on": a.due_on}
            for a in (alert.actions.all() if alert.pk else [])
        ]
        actions = action_formset(
            request.POST if posted else None, initial=initial, rows=min(len(initial) + 2, 12)
        )
    if posted and form.is_valid() and (actions is None or actions.is_valid()):
        draft = form.save()
        try:
            if actions is None:
                typed = [
                    {"description": a.description, "due_on": a.due_on} for a in alert.actions.all()
                ]
            else:
                typed = actions.actions(draft.alert_type, draft.issued_on)
            services.alert_save(
                by=request.user,
                alert=draft,
                medicines=form.cleaned_data["medicines"],
                actions=typed,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and actions is not None:
                for message in error.error_dict.pop("actions", []):
                    actions._non_form_errors.extend(message.messages)
            if not hasattr(error, "error_dict") or error.error_dict:
                show_refusal(form, error, "reference")
        else:
            messages.success(request, f"{draft.reference} is saved")
            return redirect(draft)
    context = {"form": form, "actions": actions, "alert": alert, "published": published}
    return render(request, "alerts/alert_form.html", context)


@allow("GET", "POST")
def alert_create(request):
    _require(request, Perm.ALERTS_PUBLISH)
    return _alert_form(request, Alert())


@allow("GET", "POST")
def alert_update(request, alert_id):
    _require(request, Perm.ALERTS_PUBLISH)
    return _alert_form(request, get_object_or_404(Alert, pk=alert_id))


@allow("GET", "POST")
def alert_publish(request, alert_id):
    _require(request, Perm.ALERTS_PUBLISH)
    alert = get_object_or_404(Alert, pk=alert_id)
    if alert.is_published:  # a second press, or another tab: it went with the first
        messages.info(request, f"{alert.reference} is published already")
        return redirect(alert)
    reach = services.recipients_of(alert).values("kind").annotate(n=Count("pk")).order_by("kind")
    error = ""
    if request.method == "POST":
        try:
            count = services.alert_publish(by=request.user, alert=alert)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(
                request,
                f"{alert.reference} is published to {count:,} organisations: their MSOs are "
                "being told",
            )
            return redirect(alert)
    labels = dict(OrganisationKind.choices)
    context = {
        "alert": alert,
        "reach": [(labels.get(row["kind"], row["kind"]), row["n"]) for row in reach],
        "total": sum(row["n"] for row in reach),
        "error": error,
    }
    return render(request, "alerts/alert_publish.html", context, status=400 if error else 200)


@allow("GET", "POST")
def alert_import(request):
    """A file of alerts: first what importing it would do, then (once confirmed) the import."""
    _require(request, Perm.ALERTS_PUBLISH)
    if request.method == "POST" and request.POST.get("action") == "feeds":
        return _read_feeds(request)
    form = ImportForm(submitted(request), request.FILES or None)
    found = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(importing.MAX_BYTES + 1)
        found = importing.plan(data, upload.name)
        if not found.problems and request.POST.get("action") == "import":
            try:
                importing.apply(found, by=request.user, publish=form.cleaned_data["publish"])
            except ValidationError as error:
                found.problems += error.messages
            else:
                messages.success(request, f"Imported: {found.summary}")
                return redirect("alerts:list")
    context = {
        "form": form,
        "plan": found,
        "issuers": choices.Issuer.choices,
        "types": choices.AlertType.choices,
        "kinds": OrganisationKind.choices,
        "feeds": feeds.latest_readings(),
    }
    return render(request, "alerts/alert_import.html", context)


def _read_feeds(request):
    """Read the alert feeds now, as the hourly task does: the new entries become drafts."""
    readings = feeds.read_feeds()
    for reading in readings:
        if reading.ok:
            messages.success(request, reading.summary)
        else:
            messages.error(request, reading.summary)
    if not readings:
        messages.error(request, "No alert feeds are configured (ALERT_FEEDS)")
    return redirect("alerts:import")


# Who has responded ---------------------------------------------------------------------


def _compliance_rows(request, alert, filters, today):
    responses = (
        AlertResponse.objects.visible_to(request.user, Perm.ALERTS_COMPLIANCE)
        .filter(alert=alert)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    if filters.get("region"):
        responses = responses.filter(region=filters["region"])
    if filters.get("kind"):
        responses = responses.filter(kind=filters["kind"])
    state = filters.get("state")
    if state == "overdue":
        responses = responses.overdue(today)
    elif state == "not-acknowledged":
        responses = responses.filter(state=choices.ResponseState.NEW)
    elif state:
        responses = responses.filter(state=state)
    if filters.get("q"):
        text = filters["q"].strip()
        responses = responses.filter(
            Q(organisation__name__icontains=text) | Q(organisation__ods_code=text.upper())
        )
    return responses


def _compliance_alert(request, alert_id) -> Alert:
    _require(request, Perm.ALERTS_COMPLIANCE)
    return get_object_or_404(Alert.objects.published(), pk=alert_id)


@allow("GET")
@replica_reads
def compliance(request, alert_id):
    """One alert: by region and kind of organisation, then the organisations themselves."""
    alert = _compliance_alert(request, alert_id)
    today = timezone.localdate()
    tallies = _tallies_seen(request, [alert.pk])
    sums = _sums(today)
    by = list(tallies.values("region", "kind").annotate(**sums).order_by("region", "kind"))
    form = ComplianceFilterForm(request.GET or None)
    filters = form.values()
    page = Paginator(_compliance_rows(request, alert, filters, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    regions, kinds = dict(Region.choices), dict(OrganisationKind.choices)
    answers = register.mso_answers([response.organisation for response in page])
    for response in page:
        response.mso_answer = answers[response.organisation_id]
    context = {
        "alert": alert,
        # The whole alert's figures: the rows by region and kind added up.
        "figures": {name: sum(row[name] for row in by) for name in sums},
        "by": [
            {
                **row,
                "region_label": regions.get(row["region"], "No region"),
                "kind_label": kinds.get(row["kind"], row["kind"]),
                "query": urlencode({"region": row["region"], "kind": row["kind"]}),
            }
            for row in by
        ],
        "form": form,
        "page": page,
        "today": today,
        "query_string": query_string_without_page(request),
        "export_query": query_string_without_page(request),
        # What organisations recorded here of closing it in CAS (CAS holds the answers).
        "cas_closed": AlertResponse.objects.visible_to(request.user, Perm.ALERTS_COMPLIANCE)
        .filter(alert=alert, cas_closed_on__isnull=False)
        .count(),
    }
    return render(request, "alerts/compliance.html", context)


COLUMNS = (
    "ODS code",
    "Organisation",
    "Region",
    "Kind",
    "State",
    "Past a deadline",
    "Next deadline",
    "Acknowledged on",
    "Signed off on",
    "Completed on",
    "Closed in CAS on (as recorded here)",
)


def _export_rows(rows, today):
    regions, kinds = dict(Region.choices), dict(OrganisationKind.choices)
    for response in rows.iterator(chunk_size=1000):
        no_deadline = response.next_due_on.year == 9999
        yield tuple(
            exports.neutralise(value)
            for value in (
                response.organisation.ods_code,
                response.organisation.name,
                str(regions.get(response.region, "")),
                str(kinds.get(response.kind, response.kind)),
                response.get_state_display(),
                "Yes" if response.is_overdue(today) else "No",
                None if no_deadline else response.next_due_on,
                timezone.localdate(response.acknowledged_at) if response.acknowledged_at else None,
                timezone.localdate(response.signed_off_at) if response.signed_off_at else None,
                timezone.localdate(response.completed_at) if response.completed_at else None,
                response.cas_closed_on,
            )
        )


@allow("GET")
@replica_reads
def compliance_export(request, alert_id, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    alert = _compliance_alert(request, alert_id)
    today = timezone.localdate()
    form = ComplianceFilterForm(request.GET or None)
    rows = _compliance_rows(request, alert, form.values(), today)
    logger.info("Responses to alert %s exported as %s by user %s", alert.pk, fmt, request.user.pk)
    name = f"alert-{alert.pk}-responses-{today:%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(COLUMNS, _export_rows(rows, today), name)
    return exports.xlsx_response("Responses", COLUMNS, _export_rows(rows, today), name)


def _overdue_rows(request, today):
    """The organisations with open alerts past a deadline, each with how many and the oldest.
    Read from the responses' past-deadline index alone (no response row is fetched for a
    national lead), joined to the organisations."""
    return (
        AlertResponse.objects.visible_to(request.user, Perm.ALERTS_COMPLIANCE)
        .overdue(today)
        .values(
            "organisation_id",
            "organisation__ods_code",
            "organisation__name",
            "organisation__region",
            "organisation__kind",
        )
        .annotate(alerts=Count("organisation_id"), since=Min("next_due_on"))
        .order_by("since", "organisation__name")
    )


@allow("GET")
@replica_reads
def overdue(request):
    """The organisations past a deadline, the longest overdue first: from each organisation's
    earliest deadline (kept by the services), then the late alerts of the page's fifty."""
    _require(request, Perm.ALERTS_COMPLIANCE)
    today = timezone.localdate()
    organisations = (
        OrganisationDeadline.objects.visible_to(request.user, Perm.ALERTS_COMPLIANCE)
        .filter(next_due_on__lt=today)
        .order_by("next_due_on", "organisation__name")
        .values(
            "organisation__ods_code",
            "organisation__name",
            "organisation__region",
            "organisation__kind",
            "organisation_id",
            "next_due_on",
        )
    )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    answers = register.mso_answers(
        Organisation(pk=row["organisation_id"], kind=row["organisation__kind"]) for row in page
    )
    regions, kinds = dict(Region.choices), dict(OrganisationKind.choices)
    late, addresses = defaultdict(list), {}
    for response in (
        AlertResponse.objects.visible_to(request.user, Perm.ALERTS_COMPLIANCE)
        .overdue(today)
        .filter(organisation__ods_code__in=[row["organisation__ods_code"] for row in page])
        .order_by("next_due_on", "alert__reference")
        .values(
            "alert_id", "alert__reference", "alert__title", "next_due_on", "organisation__ods_code"
        )
    ):
        alert_id, ods_code = response["alert_id"], response["organisation__ods_code"]
        if alert_id not in addresses:  # a page names each alert many times: its address once
            addresses[alert_id] = reverse("alerts:compliance", args=[alert_id])
        response["url"] = f"{addresses[alert_id]}?{urlencode({'q': ods_code})}"
        late[ods_code].append(response)
    for row in page.object_list:
        row["region_label"] = regions.get(row["organisation__region"], "")
        row["kind_label"] = kinds.get(row["organisation__kind"], row["organisation__kind"])
        row["since"] = row["next_due_on"]
        row["days"] = (today - row["since"]).days
        row["late"] = late[row["organisation__ods_code"]]
        row["alerts"] = len(row["late"])
        row["mso_answer"] = answers[row["organisation_id"]]
    return render(request, "alerts/overdue.html", {"page": page, "today": today})


OVERDUE_COLUMNS = (
    "ODS code",
    "Organisation",
    "Region",
    "Kind",
    "Alerts past a deadline",
    "Oldest deadline",
)


@allow("GET")
@replica_reads
def overdue_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    _require(request, Perm.ALERTS_COMPLIANCE)
    today = timezone.localdate()
    regions, kinds = dict(Region.choices), dict(OrganisationKind.choices)
    rows = (
        tuple(
            exports.neutralise(v)
            for v in (
                row["organisation__ods_code"],
                row["organisation__name"],
                str(regions.get(row["organisation__region"], "")),
                str(kinds.get(row["organisation__kind"], row["organisation__kind"])),
                row["alerts"],
                row["since"],
            )
        )
        for row in _overdue_rows(request, today).iterator(chunk_size=1000)
    )
    name = f"alerts-past-deadline-{today:%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(OVERDUE_COLUMNS, rows, name)
    return exports.xlsx_response("Past deadline", OVERDUE_COLUMNS, rows, name)
