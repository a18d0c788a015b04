"""Reporting an incident: two short steps, kept as the reporter's draft from the first press of
a button until it is sent, so that nothing typed is ever lost. Then the confirmation, "My
reports", and the receipt an anonymous reporter follows their report with.

The pages of the journey are ``@untraced`` (core/http.py): no Referer names a draft, and
the access log keeps no address, browser or draft of them. Sending answers alike whether the
report is named or anonymous (the confirmation page, 200), so no status or redirect tells an
anonymous report from the log."""

from functools import wraps

from allauth.core.internal import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache

from core import identifiers
from core.audit import client_address
from core.confirm import confirm_first
from core.forms import show_refusal
from core.http import Refused, allow, untraced
from core.kept_typing import keeps_typing, posted, typed_before_sign_in
from core.saved import answered_as_saved
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.current import can_switch_organisation, get_current_organisation

from .. import privacy, queries, receipt_again, services
from ..forms import ReportForm, SendForm, medicine_formset, only_identifier_errors
from ..models import Draft, Incident


def _raw(post) -> dict:
    """What was typed, as a JSON-able dict of lists (the buttons and the token left out)."""
    typed = posted(post)
    typed.pop("action", None)
    return typed


KEPT_MESSAGE = (
    "You were signed out before your report was sent. What you typed is kept in this draft: "
    "check it and carry on."
)


def _bound(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in data.items():
        query.setlist(key, values)
    return query


def _initial(form_class, data: dict, prefix="") -> dict:
    """A form's initial values from what was typed: an unbound form that shows it, without
    shouting errors about what is not filled in yet."""
    initial = {}
    for name, field in form_class.base_fields.items():
        key = f"{prefix}{name}"
        subwidgets = getattr(field.widget, "widgets_names", None)
        if subwidgets:
            initial[name] = [(data.get(f"{key}{suffix}") or [""])[0] for suffix in subwidgets]
        elif key in data:
            values = data[key]
            multiple = getattr(field.widget, "allow_multiple_selected", False)
            initial[name] = values if multiple else (values[0] if values else "")
    return initial


def _medicine_initial(data: dict) -> list[dict]:
    total = int((data.get("medicines-TOTAL_FORMS") or ["1"])[0] or 1)
    rows = [_initial(medicine_formset().form, data, prefix=f"medicines-{i}-") for i in range(total)]
    return [row for row in rows if any(row.values())] or [{}]


def reporting_organisation(request, draft: Draft | None = None):
    """The organisation the report is for: the draft's, or the one the person is working in,
    where they may report."""
    organisation = draft.organisation if draft else get_current_organisation(request)
    if organisation is None or not access_for(request.user).has(
        Perm.INCIDENTS_REPORT, organisation
    ):
        raise Refused(
            "You report incidents for an organisation you are a member of. Ask its MSO to add you."
        )
    return organisation


def _draft(request, pk) -> Draft:
    """The person's own draft (anyone else's does not exist for them); ``DraftGone`` once it is
    sent or deleted."""
    draft = Draft.objects.select_related("organisation").filter(pk=pk, user=request.user).first()
    if draft is None:
        raise services.draft_gone(by=request.user, pk=pk, sending=_sending(request))
    return draft


def _sending(request) -> str:
    """The token of this showing of the send page (incidents.receipt_again)."""
    return receipt_again.token_from(request.POST.get("sending", ""))


def _sent_anonymously(request):
    """The confirmation once more, with the reference and receipt code given for this very send
    (the same token) a moment ago, if it was (incidents.receipt_again)."""
    given = receipt_again.kept(_sending(request)) if request.method == "POST" else None
    if given is None:
        return None
    reference, receipt = given
    incident = queries.by_receipt(reference, receipt)
    if incident is None:
        return None
    context = {"incident": incident, "receipt": receipt, "organisation": incident.organisation}
    return render(request, "incidents/report_sent.html", context)


def _sent_once(view):
    """A draft that is gone answers why: one sent already (a second press, a reload, another
    tab, its page in the browser's history) says so, named or anonymous alike (200, as the
    confirmation is); one deleted does not exist (404)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.DraftGone as gone:
            if gone.sent is None and "pk" in kwargs:  # looked for again, with this send's token
                gone = services.draft_gone(
                    by=request.user, pk=kwargs["pk"], sending=_sending(request)
                )
            if gone.sent is None:
                # Deleted, or sent anonymously from another page (nothing kept says by whom).
                return render(request, "incidents/draft_gone.html", status=404)
            if gone.sent.incident is None and (again := _sent_anonymously(request)):
                return again
            context = {"incident": gone.sent.incident}
            return render(request, "incidents/report_already_sent.html", context)

    return wrapped


@untraced
@_sent_once
@keeps_typing
@allow("GET", "POST")
@never_cache
def report(request, pk=None):
    """Step 1: when, where, what, the medicines, harm and the patient's age and gender."""
    draft = _draft(request, pk) if pk else None
    organisation = reporting_organisation(request, draft)
    stored = draft.data.get("step1", {}) if draft else {}
    kept = typed_before_sign_in(request) if request.method == "GET" else None
    if kept is not None:
        kept.pop("action", None)
        step2 = draft.data.get("step2", {}) if draft else {}
        draft = services.draft_save(
            by=request.user,
            organisation=organisation,
            data={"step1": kept, "step2": step2},
            draft=draft,
        )
        messages.info(request, KEPT_MESSAGE)
        return redirect("incidents:report_draft", pk=draft.pk)
    if request.method == "POST":
        typed = _raw(request.POST)
        action = request.POST.get("action", "continue")
        shapes = privacy.shapes_for(organisation)
        form = ReportForm(request.POST, identifier_shapes=shapes)
        medicines = medicine_formset(request.POST, identifier_shapes=shapes)
        if _identifies_a_patient(typed, form, medicines, action, shapes):
            return _step1_page(request, form, medicines, organisation, draft)
        data = {"step1": typed, "step2": draft.data.get("step2", {}) if draft else {}}
        if draft is not None or not Draft(data=data).is_empty:  # a blank page keeps no draft
            draft = services.draft_save(
                by=request.user, organisation=organisation, data=data, draft=draft
            )
        here = reverse("incidents:report_draft", args=[draft.pk]) if draft else request.path
        if action == "add-medicine":
            rows = int((typed.get("medicines-TOTAL_FORMS") or ["1"])[0] or 1) + 1
            return redirect(f"{here}?rows={rows}")
        if draft is None and action == "save":
            messages.info(request, "There is nothing to save yet.")
            return redirect(here)
        if action == "save":
            messages.success(request, "Your report is saved as a draft. Find it in My reports.")
            return redirect("incidents:mine")
        if form.is_valid() and medicines.is_valid():  # valid: something was typed, so a draft
            return redirect("incidents:report_send", pk=draft.pk)
    else:
        form = ReportForm(initial=_initial(ReportForm, stored))
        rows = request.GET.get("rows", "")
        medicines = medicine_formset(
            initial=_medicine_initial(stored) if stored else None,
            rows=min(int(rows), 10) if rows.isdigit() else None,
        )
    return _step1_page(request, form, medicines, organisation, draft)


def _step1_page(request, form, medicines, organisation, draft):
    context = {
        "form": form,
        "medicines": medicines,
        "organisation": organisation,
        "draft": draft,
        "can_switch": can_switch_organisation(request) and draft is None,
        "can_add_medicine": medicines.total_form_count() < 10,
    }
    return render(request, "incidents/report.html", context)


def _identifies_a_patient(typed: dict, form, formset, action: str, shapes=()) -> bool:
    """Whether what was typed holds a patient's identifier (core.identifiers): then nothing of
    it is kept, not even as a draft, and the page asks for it to be removed. Whatever button was
    pressed, the page shows the refusals; for "Save as a draft" and "Add another medicine", only
    them (the rest can wait)."""
    if not identifiers.found_in_typed(typed, skip=privacy.CODES, shapes=shapes):
        return False
    valid = all([form.is_valid(), formset.is_valid() if formset is not None else True])
    if action != "continue" and not valid:
        only_identifier_errors(*filter(None, [form, formset]))
    return True


def _step1(draft: Draft):
    data = _bound(draft.data.get("step1", {}))
    shapes = privacy.shapes_for(draft.organisation_id)
    form = ReportForm(data, identifier_shapes=shapes)
    medicines = medicine_formset(data, identifier_shapes=shapes)
    return form, medicines, form.is_valid() and medicines.is_valid()


@untraced
@_sent_once
@keeps_typing
@allow("GET", "POST")
@never_cache
def report_send(request, pk):
    """Step 2: the medication problem and governance (all optional), whether to put one's name
    to it, and send."""
    draft = _draft(request, pk)
    organisation = reporting_organisation(request, draft)
    kept = typed_before_sign_in(request) if request.method == "GET" else None
    if kept is not None:
        kept.pop("action", None)
        services.draft_save(
            by=request.user,
            organisation=organisation,
            data={"step1": draft.data.get("step1", {}), "step2": kept},
            draft=draft,
        )
        messages.info(request, KEPT_MESSAGE)
        return redirect("incidents:report_send", pk=draft.pk)
    first, medicines, complete = _step1(draft)
    if not complete:
        messages.info(request, "Answer the questions on this page first.")
        return redirect("incidents:report_draft", pk=draft.pk)
    # This showing of the page, sent again by a second press (incidents.receipt_again).
    sending = _sending(request) if request.method == "POST" else receipt_again.new_token()
    context = {"draft": draft, "organisation": organisation, "first": first, "sending": sending}
    if request.method == "POST":
        typed = _raw(request.POST)
        typed.pop("sending", None)
        action = request.POST.get("action", "send")
        shapes = privacy.shapes_for(organisation)
        form = SendForm(request.POST)
        if _identifies_a_patient(typed, form, None, action, shapes):
            return render(request, "incidents/report_send.html", {**context, "form": form})
        draft = services.draft_save(
            by=request.user,
            organisation=organisation,
            data={"step1": draft.data["step1"], "step2": typed},
            draft=draft,
        )
        if action == "back":
            return redirect("incidents:report_draft", pk=draft.pk)
        if action == "save":
            messages.success(request, "Your report is saved as a draft. Find it in My reports.")
            return redirect("incidents:mine")
        if form.is_valid():
            try:
                incident, receipt = services.report_submit(
                    by=request.user,
                    organisation=organisation,
                    details=first.details() | form.details(),
                    medicines=medicines.medicines(),
                    anonymous=form.cleaned_data["anonymous"] == "yes",
                    draft=draft,
                    arose_in=form.arose_in_organisation,
                    sending=sending,
                )
            except ValidationError as error:
                show_refusal(form, error, "arose_in")
            else:
                # The confirmation, named or anonymous: the same answer to the same address. An
                # anonymous report's reference and receipt code are shown here: no address,
                # log line or session holds them. Sending again (a second press, a reload)
                # waits for this send's lock, then finds the draft sent (_sent_once).
                # Made again on a new connection if the connection died after the commit: the
                # report is saved, and an anonymous reporter sees their receipt code.
                sent = {"incident": incident, "receipt": receipt, "organisation": organisation}
                answer = answered_as_saved(
                    lambda: render(request, "incidents/report_sent.html", sent)
                )
                return answer
    else:
        form = SendForm(initial=_initial(SendForm, draft.data.get("step2", {})))
    return render(request, "incidents/report_send.html", {**context, "form": form})


@untraced
@_sent_once
@allow("POST")
def draft_discard(request, pk):
    draft = _draft(request, pk)
    asking = confirm_first(
        request,
        question="Delete this draft?",
        detail=f"“{draft.summary}”, last saved {draft.updated_at:%-d %B %Y at %H:%M}. "
        "What you typed in it cannot be got back.",
        button="Delete the draft",
        back=reverse("incidents:mine"),
    )
    if asking:
        return asking
    services.draft_discard(by=request.user, draft=draft)
    messages.success(request, "The draft is deleted.")
    return redirect("incidents:mine")


@allow("GET")
def my_reports(request):
    reports = (
        Incident.objects.visible_to(request.user)
        .filter(reporter=request.user)
        .select_related("organisation")
        .prefetch_related("medicines")
        .order_by("-reported_at", "-tiebreak")[:100]
    )
    drafts = queries.unsent_drafts(request.user)
    return render(request, "incidents/my_reports.html", {"reports": reports, "drafts": drafts})


# Failed receipt lookups, throttled as failed sign-ins are (allauth's rate limits, counted in
# the cache): per client and per reference, each over 5 minutes. Each is counted under a keyed
# hash, so the cache holds neither the client's address nor the reference.
RECEIPT_LIMITS = {"receipt-client": "10/5m/key", "receipt-reference": "5/5m/key"}
RECEIPT_TOO_MANY = (
    "You have entered too many references and receipt codes that do not match. "
    "Wait 5 minutes, then try again."
)


def _receipt_counters(request, reference: str) -> list[tuple[str, str]]:
    """The limiter's counters a lookup of ``reference`` from this client counts against."""
    client = client_address(request) or ""
    return [
        ("receipt-client", salted_hmac("incidents.receipt.client", client).hexdigest()),
        (
            "receipt-reference",
            salted_hmac(
                "incidents.receipt.reference", queries.receipt_value(reference)
            ).hexdigest(),
        ),
    ]


def _receipt_limited(request, reference: str, *, failed: bool = False) -> bool:
    """Whether this client, or this reference, has failed too often of late (``failed``: count
    one more failure)."""
    return any(
        not ratelimit.consume(
            request,
            app="incidents",
            action=action,
            config=RECEIPT_LIMITS,
            key=key,
            dry_run=not failed,
        )
        for action, key in _receipt_counters(request, reference)
    )


@untraced
@login_not_required
@allow("GET", "POST")
@never_cache
def receipt(request):
    """An anonymous reporter's view of their report: its status and feedback, for whoever
    holds the reference and the receipt code (asked in a form, so neither is in an address).
    Too many failed lookups, from a client or of a reference, are refused for a while."""
    found, error, status = None, "", 200
    if request.method == "POST":
        reference = request.POST.get("reference", "")
        if _receipt_limited(request, reference):
            error, status = RECEIPT_TOO_MANY, 429
        else:
            found = queries.by_receipt(reference, request.POST.get("code", ""))
            if found is None:
                _receipt_limited(request, reference, failed=True)
                error = (
                    "The reference and receipt code do not match a report. "
                    "Check them and try again."
                )
    context = {"found": found, "error": error}
    return render(request, "incidents/receipt.html", context, status=status)
