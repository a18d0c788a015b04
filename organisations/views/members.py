from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property

from accounts.models import User
from core.forms import form_page, submitted
from core.http import allow, query_string_without_page

from .. import services
from ..access import access_for
from ..forms import MemberRolesForm, SearchForm
from ..models import Appointment, Invitation, Membership, Organisation
from ..permissions import Perm
from ..picking import pickers, suggested_members
from ..scoping import get_object_for

PAGE_SIZE = 50


def _member(request, organisation, user_id):
    """A member of an organisation whose members the user may see (else 404)."""
    memberships = Membership.objects.visible_to(request.user).filter(organisation=organisation)
    return get_object_or_404(
        User.objects.filter(memberships__in=memberships).distinct(), pk=user_id
    )


class MemberPages(Paginator):
    """Pages of members in name order, counted from the memberships alone (one index) when
    they are not searched."""

    def __init__(self, people, per_page, *, counted=None):
        super().__init__(people, per_page)
        self._counted = counted

    @cached_property
    def count(self) -> int:
        return self._counted.count() if self._counted is not None else super().count


@allow("GET")
def member_list(request, ods_code):
    waiting = Invitation.objects.visible_to(request.user).pending()
    organisation = get_object_for(
        request.user,
        Organisation.objects.annotate(
            has_invitations=Exists(waiting.filter(organisation=OuterRef("pk")))
        ),
        Perm.MEMBERS_VIEW,
        ods_code=ods_code,
    )
    search = SearchForm(request.GET or None)
    memberships = Membership.objects.visible_to(request.user).filter(organisation=organisation)
    people = (
        User.objects.filter(pk__in=memberships.values("user_id"))  # a semi-join: no DISTINCT
        .only("full_name", "email")
        .order_by("full_name", "pk")
        .prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="roles_here"),
            Prefetch(
                "appointments",
                queryset=Appointment.objects.visible_to(request.user)
                .filter(organisation=organisation)
                .current(),
                to_attr="posts_here",
            ),
        )
    )
    if query := search.query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    can_manage = access_for(request.user).has(Perm.MEMBERS_MANAGE, organisation)
    invitations = (
        list(waiting.filter(organisation=organisation).select_related("invited_by"))
        if can_manage and organisation.has_invitations
        else []
    )
    counted = None if query else memberships.values("user_id").distinct()
    context = {
        "organisation": organisation,
        "page": MemberPages(people, PAGE_SIZE, counted=counted).get_page(search.page_number),
        "search": search,
        "query": query,
        "query_string": query_string_without_page(request),
        "can_manage": can_manage,
        "invitations": invitations,
    }
    return render(request, "organisations/member_list.html", context)


@allow("GET", "POST")
def member_roles(request, ods_code, user_id):
    organisation = get_object_for(
        request.user, Organisation, Perm.MEMBERS_MANAGE, ods_code=ods_code
    )
    person = _member(request, organisation, user_id)
    current = list(
        Membership.objects.visible_to(request.user)
        .filter(organisation=organisation, user=person)
        .values_list("role", flat=True)
    )
    return form_page(
        request,
        MemberRolesForm(
            submitted(request),
            organisation=organisation,
            initial={"roles": current},
        ),
        "organisations/member_roles.html",
        {"organisation": organisation, "person": person},
        save=lambda data: services.membership_roles_set(
            by=request.user, organisation=organisation, user=person, **data
        ),
        saved=f"{person}'s roles have been changed",
        then=reverse("organisations:members", args=[organisation.ods_code]),
        refusal_field="roles",
    )


@allow("GET", "POST")
def member_remove(request, ods_code, user_id):
    """Take someone out of the organisation, after a confirmation page."""
    organisation = get_object_for(
        request.user, Organisation, Perm.MEMBERS_MANAGE, ods_code=ods_code
    )
    person = _member(request, organisation, user_id)
    error = None
    if request.method == "POST":
        try:
            services.member_remove(by=request.user, organisation=organisation, user=person)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, f"{person} has been removed from {organisation.name}")
            return redirect("organisations:members", ods_code=organisation.ods_code)
    context = {
        "organisation": organisation,
        "person": person,
        "posts": services.posts_held(organisation, person),
        "error": error,
    }
    return render(request, "organisations/member_remove.html", context)


@allow("GET")
def member_suggestions(request, ods_code):
    """``{"results": [{"value", "label"}]}``: the members matching ``?q=``, for the person
    choosing one on a form (organisations/picking.py); 403 to anyone whose forms offer no
    such choice there."""
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    if not access_for(request.user).permissions(organisation) & pickers():
        raise PermissionDenied
    results = [
        {"value": person.email, "label": f"{person.full_name or person.email} ({person.email})"}
        for person in suggested_members(organisation, request.GET.get("q", ""))
    ]
    return JsonResponse({"results": results})
