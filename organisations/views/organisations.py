from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from core.http import allow, query_string_without_page

from .. import change_requests
from ..access import access_for
from ..choices import (
    APPROVED_POSTS,
    MSO_REQUIRED,
    NEW_HOLDER,
    SINGLE_HOLDER_POSTS,
    Post,
    RelationshipKind,
    covered_by_words,
    posts_for,
)
from ..forms import OrganisationFilterForm
from ..models import (
    Appointment,
    ChangeRequest,
    Handover,
    Organisation,
    OrganisationRelationship,
    covering_msos,
)
from ..permissions import Perm
from ..scoping import get_object_for

PAGE_SIZE = 50


def post_controls(perms) -> dict:
    """What the named posts' list (includes/named_posts.html) offers someone holding ``perms``
    in the organisation: recording holders themselves, or asking for a change to the register
    (on the organisation's page and the home page alike)."""
    return {
        "can_manage_posts": Perm.APPOINTMENTS_MANAGE in perms,
        "can_ask_for_changes": Perm.CHANGES_SUBMIT in perms,
    }


def named_posts(user, organisation, appointments=None):
    """Current holders of each of the organisation's named posts, with the single-holder posts
    shown even when vacant. ``appointments``: the organisation's, if already read."""
    if appointments is None:
        appointments = (
            Appointment.objects.visible_to(user)
            .filter(organisation=organisation)
            .current()
            .select_related("user")
        )
    current = [a for a in appointments if a.is_current()]
    asks = _asks(user, organisation)
    replaces = _replaces(user, organisation)
    rows = []
    for post in posts_for(organisation.kind):
        holders = [a for a in current if a.post == post]
        if holders or post in SINGLE_HOLDER_POSTS:
            cover = None
            if not holders and post == Post.MSO:
                cover = covering_msos({organisation.pk: organisation.kind}).get(organisation.pk)
            rows.append(
                {
                    "post": post,
                    "holders": holders,
                    "covered_by": cover,
                    # "Vacant" is said only where the organisation must name its own.
                    "required": post != Post.MSO or organisation.kind in MSO_REQUIRED,
                    "cover_hint": covered_by_words(organisation.kind),
                    # A post that grants powers is named through a change to the register.
                    "approved": post in APPROVED_POSTS,
                    "ask_for": asks.get(post, ""),
                    # Replace a holder: asked for, or made at once by a network lead.
                    "replace": post in replaces,
                }
            )
    return rows


def _asks(user, organisation) -> dict[str, str]:
    """The posts for whose new holder the person may ask, with the kind of change to ask."""
    return {
        post: kind
        for kind, post in NEW_HOLDER.items()
        if change_requests.may_ask(user, organisation, kind)
    }


def _replaces(user, organisation) -> set[str]:
    """The posts whose holder the person may replace (views.posts.appointment_replace)."""
    found = set()
    for post in posts_for(organisation.kind):
        kind = change_requests.replacing(post)
        if kind and (
            change_requests.may_ask(user, organisation, kind)
            or change_requests.may_decide(user, organisation, kind)
        ):
            found.add(post)
    return found


@allow("GET")
def organisation_list(request):
    access = access_for(request.user)
    if not access.has(Perm.ORGANISATIONS_DIRECTORY):
        raise PermissionDenied
    form = OrganisationFilterForm(request.GET or None)
    organisations = Organisation.objects.visible_to(request.user).order_by("name", "pk")
    if form.is_valid():
        organisations = organisations.looked_up(
            form.query, form.cleaned_data["kind"], form.cleaned_data["region"]
        )
    page = Paginator(organisations, PAGE_SIZE).get_page(form.page_number)
    permissions = access.permission_map()
    rows = [(organisation, permissions[organisation]) for organisation in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query_string": query_string_without_page(request),
    }
    return render(request, "organisations/organisation_list.html", context)


@allow("GET")
def organisation_detail(request, ods_code):
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    access = access_for(request.user)
    today = timezone.localdate()
    appointments = list(
        Appointment.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("user")
    )
    links = list(
        OrganisationRelationship.objects.filter(Q(child=organisation) | Q(parent=organisation))
        .select_related("parent", "child")
        .order_by("-start_on")
    )
    linked = {link.parent if link.child_id == organisation.pk else link.child for link in links}
    permissions = access.permission_map()
    current = [link for link in links if link.start_on <= today and not _ended(link, today)]
    perms = access.permissions(organisation)
    context = {
        "organisation": organisation,
        "named_posts": named_posts(request.user, organisation, appointments),
        "handovers": Handover.objects.visible_to(request.user)
        .open()
        .filter(organisation=organisation)
        .select_related("appointment__user"),
        "past_appointments": [a for a in appointments if a.end_on and a.end_on < today],
        "future_appointments": [a for a in appointments if a.start_on > today],
        "parents": _of_kind(current, RelationshipKind.PART_OF, child=organisation),
        "children": _of_kind(current, RelationshipKind.PART_OF, parent=organisation),
        "successors": _of_kind(links, RelationshipKind.SUCCESSOR, child=organisation),
        "predecessors": _of_kind(links, RelationshipKind.SUCCESSOR, parent=organisation),
        "visible_ids": {o.pk for o in linked if Perm.ORGANISATION_VIEW in permissions[o]},
        **post_controls(perms),
        "can_view_members": Perm.MEMBERS_VIEW in perms,
        "changes": list(
            ChangeRequest.objects.visible_to(request.user)
            .filter(organisation=organisation)
            .select_related("submitted_by")[:5]
        )
        if Perm.CHANGES_VIEW in perms or Perm.CHANGES_DECIDE in perms
        else None,
    }
    return render(request, "organisations/organisation_detail.html", context)


def _ended(link, today) -> bool:
    return link.end_on is not None and link.end_on < today


def _of_kind(links, kind, *, child=None, parent=None):
    return sorted(
        (
            link
            for link in links
            if link.kind == kind
            and (child is None or link.child_id == child.pk)
            and (parent is None or link.parent_id == parent.pk)
        ),
        key=lambda link: (link.parent.name, link.child.name),
    )
