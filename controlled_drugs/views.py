"""The CDAO's pages: the controlled-drug occurrences they may read, by quarter (what happened
and the medicines, never the reporter), each body's quarterly occurrence report, and the
concerns about individuals their own body keeps."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from core.exports import csv_response
from core.forms import form_page, submitted
from core.http import allow, query_string_without_page
from incidents import privacy
from organisations.access import access_for
from organisations.choices import DESIGNATED_BODIES, PRIMARY_CARE, OrganisationKind
from organisations.forms import SearchForm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from . import occurrences as found
from . import services
from .forms import ConcernForm, ConcernProgressForm, RaiseConcernForm
from .models import Concern
from .permissions import Perm

PAGE_SIZE = 25


def _quarter(request) -> found.Quarter:
    return found.Quarter.from_key(request.GET.get("quarter", "")) or found.Quarter.containing(
        timezone.localdate()
    )


@allow("GET")
def occurrences(request):
    """The controlled-drug occurrences of a quarter that the person may read, with the bodies
    they came from and each body's occurrence report; and the concerns the person keeps."""
    access = access_for(request.user)
    if not (access.has(Perm.OCCURRENCES_VIEW) or access.has(Perm.CONCERNS_KEEP)):
        raise PermissionDenied
    quarter = _quarter(request)
    listed = found.occurrences(request.user, quarter)
    context = {"bodies": _bodies(request.user, listed)}
    own = [
        organisation
        for organisation in access.organisations.values()
        if access.has(Perm.CONCERNS_KEEP, organisation)
    ]
    context |= {
        "quarter": quarter,
        "quarters": found.recent_quarters(timezone.localdate()),
        "page": Paginator(listed, PAGE_SIZE).get_page(SearchForm(request.GET).page_number),
        "query_string": query_string_without_page(request),
        "own": sorted(own, key=lambda organisation: organisation.name),
    }
    return render(request, "controlled_drugs/occurrences.html", context)


def _bodies(user, listed) -> list[tuple]:
    """Each designated body whose occurrence report the person may download, with its
    occurrences of the quarter (none included: a nil return is a return). Two queries."""
    groups = listed.order_by().values(
        "organisation_id", "organisation__kind", "organisation__region"
    )
    groups = list(groups.annotate(count=Count("pk")))
    bodies = Organisation.objects.visible_to(user, Perm.REPORTS_VIEW).filter(
        kind__in=sorted(DESIGNATED_BODIES)
    )
    counted = []
    for body in bodies.order_by("name"):
        if body.kind == OrganisationKind.NHS_ENGLAND_REGION:  # the region's primary care
            count = sum(
                group["count"]
                for group in groups
                if group["organisation__kind"] in PRIMARY_CARE
                and group["organisation__region"] == body.region
            )
        else:
            count = sum(g["count"] for g in groups if g["organisation_id"] == body.pk)
        counted.append((body, count))
    return counted


@allow("GET")
def occurrence(request, reference):
    """One occurrence: what happened and the medicines, never who reported it."""
    incident = get_object_or_404(
        found.Incident.objects.visible_to(request.user, Perm.OCCURRENCES_VIEW)
        .filter(controlled_drug=True)
        .select_related("organisation"),
        reference=reference,
    )
    context = {"incident": incident, "medicines": list(incident.medicines.all())}
    return render(request, "controlled_drugs/occurrence.html", context)


@allow("GET")
def occurrence_report(request, ods_code, quarter):
    """A designated body's quarterly occurrence report, for the Local Intelligence Network, as
    CSV: a row for each occurrence, or a nil return; a quarter not yet over is interim, one not
    yet begun has none."""
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user, Perm.REPORTS_VIEW).filter(
            kind__in=sorted(DESIGNATED_BODIES)
        ),
        ods_code=ods_code,
    )
    today = timezone.localdate()
    period = found.Quarter.from_key(quarter)
    if period is None or period.start > today:
        raise Http404("No such quarter")
    rows = found.report_rows(organisation, period, found.occurrences(request.user, period), today)
    filename = f"cd-occurrences-{organisation.ods_code}-{period.key}.csv"
    return csv_response(found.REPORT_COLUMNS, rows, filename)


@allow("GET", "POST")
def concerns(request, ods_code):
    """The body's concerns about individuals, and a new one recorded."""
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user, Perm.CONCERNS_KEEP), ods_code=ods_code
    )
    return form_page(
        request,
        ConcernForm(submitted(request), identifier_shapes=privacy.shapes_for(organisation.pk)),
        "controlled_drugs/concerns.html",
        {
            "organisation": organisation,
            "page": Paginator(
                Concern.objects.visible_to(request.user).filter(organisation=organisation),
                PAGE_SIZE,
            ).get_page(SearchForm(request.GET).page_number),
        },
        save=lambda data: services.concern_record(
            by=request.user, organisation=organisation, data=data
        ),
        saved="The concern is recorded",
        then=lambda concern: reverse(
            "controlled_drugs:concern", args=[organisation.ods_code, concern.pk]
        ),
    )


@allow("GET", "POST")
def concern(request, ods_code, pk):
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user, Perm.CONCERNS_KEEP), ods_code=ods_code
    )
    kept = get_object_or_404(
        Concern.objects.visible_to(request.user).filter(organisation=organisation), pk=pk
    )
    initial = {
        "action_taken": kept.action_taken,
        "shared_with_lin_on": kept.shared_with_lin_on,
        "state": kept.state,
    }
    return form_page(
        request,
        ConcernProgressForm(
            submitted(request),
            initial=initial,
            identifier_shapes=privacy.shapes_for(organisation.pk),
        ),
        "controlled_drugs/concern.html",
        {"organisation": organisation, "concern": kept},
        save=lambda data: services.concern_progress(by=request.user, concern=kept, data=data),
        saved="The concern is updated",
        then=reverse("controlled_drugs:concerns", args=[organisation.ods_code]),
    )


@allow("GET", "POST")
def concern_raise(request, ods_code):
    """A member of staff raises a concern in confidence with the CDAO who oversees their
    organisation; once raised, it is the CDAO's to read, not theirs."""
    organisation = get_object_for(
        request.user, Organisation, Perm.CD_CONCERN_RAISE, ods_code=ods_code
    )
    return form_page(
        request,
        RaiseConcernForm(submitted(request), identifier_shapes=privacy.shapes_for(organisation.pk)),
        "controlled_drugs/concern_raise.html",
        {
            "organisation": organisation,
            "keeper": services.keeper(organisation),
            "regional": services.keeper(organisation, about_the_cdao=True),
        },
        save=lambda data: services.concern_raise(
            by=request.user, organisation=organisation, data=data
        ),
        saved=lambda concern: (
            "Your concern is with the controlled drugs accountable officer of "
            f"{concern.organisation.name}. Thank you for raising it."
        ),
        then="home",
        refusal_field="concern",
    )
