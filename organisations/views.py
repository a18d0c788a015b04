from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User

from . import services
from .choices import SINGLE_HOLDER_POSTS, Post, RelationshipKind
from .current import get_current_organisation, set_current_organisation
from .forms import (
    AcceptInvitationForm,
    AppointmentForm,
    InvitationForm,
    MemberRolesForm,
    OrganisationFilterForm,
    OrganisationSwitchForm,
)
from .models import Appointment, Invitation, Membership, Organisation, OrganisationRelationship
from .permissions import Perm, has_permission, is_network_lead, organisations_of, permissions_in
from .shortcuts import get_organisation_for

PAGE_SIZE = 50


def _query_string_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _named_posts(organisation):
    """Current holders of each named post, with the single-holder posts shown even when vacant."""
    current = list(
        Appointment.objects.filter(organisation=organisation).current().select_related("user")
    )
    rows = []
    for post in Post:
        holders = [a for a in current if a.post == post]
        if holders or post in SINGLE_HOLDER_POSTS:
            rows.append({"post": post, "holders": holders})
    return rows


def home(request):
    user = request.user
    organisation = get_current_organisation(request)
    organisations = organisations_of(user).order_by("name")
    context = {
        "organisation": organisation,
        "switch_form": None,
        "networks": user.network_memberships.select_related("network"),
        "is_network_lead": is_network_lead(user),
    }
    if organisation is not None:
        perms = permissions_in(user, organisation)
        context.update(
            {
                "roles": Membership.objects.filter(user=user, organisation=organisation),
                "named_posts": _named_posts(organisation),
                "perms": {perm.name: perm in perms for perm in Perm},
            }
        )
        if organisations[:2].count() > 1:
            context["switch_form"] = OrganisationSwitchForm(
                organisations=organisations, initial={"organisation": organisation}
            )
    return render(request, "organisations/home.html", context)


def organisation_switch(request):
    organisations = organisations_of(request.user).order_by("name")
    form = OrganisationSwitchForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial={"organisation": get_current_organisation(request)},
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        set_current_organisation(request, organisation)
        messages.success(request, f"You are now working in {organisation.name}")
        return redirect("home")
    return render(request, "organisations/organisation_switch.html", {"form": form})


def organisation_list(request):
    if not has_permission(request.user, Perm.ORGANISATIONS_DIRECTORY):
        raise PermissionDenied
    form = OrganisationFilterForm(request.GET or None)
    organisations = Organisation.objects.visible_to(request.user).order_by("name", "pk")
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            organisations = organisations.filter(Q(name__icontains=q) | Q(ods_code__iexact=q))
        if kind := form.cleaned_data["kind"]:
            organisations = organisations.filter(kind=kind)
        if region := form.cleaned_data["region"]:
            organisations = organisations.filter(region=region)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query_string": _query_string_without_page(request)}
    return render(request, "organisations/organisation_list.html", context)


def organisation_detail(request, ods_code):
    organisation = get_organisation_for(request, ods_code)
    today = timezone.localdate()
    links = OrganisationRelationship.objects.select_related("parent", "child")
    visible = Organisation.objects.visible_to(request.user)
    context = {
        "organisation": organisation,
        "named_posts": _named_posts(organisation),
        "past_appointments": Appointment.objects.filter(
            organisation=organisation, end_on__lt=today
        ).select_related("user"),
        "future_appointments": Appointment.objects.filter(
            organisation=organisation, start_on__gt=today
        ).select_related("user"),
        "parents": links.current().filter(child=organisation, kind=RelationshipKind.PART_OF),
        "children": links.current().filter(parent=organisation, kind=RelationshipKind.PART_OF),
        "successors": links.filter(child=organisation, kind=RelationshipKind.SUCCESSOR),
        "predecessors": links.filter(parent=organisation, kind=RelationshipKind.SUCCESSOR),
        "visible_ids": set(
            visible.filter(
                Q(parent_links__parent=organisation) | Q(child_links__child=organisation)
            ).values_list("pk", flat=True)
        ),
        "can_manage_posts": has_permission(request.user, Perm.APPOINTMENTS_MANAGE, organisation),
        "can_view_members": has_permission(request.user, Perm.MEMBERS_VIEW, organisation),
    }
    return render(request, "organisations/organisation_detail.html", context)


def member_list(request, ods_code):
    organisation = get_organisation_for(request, ods_code, Perm.MEMBERS_VIEW)
    query = request.GET.get("q", "").strip()
    people = (
        User.objects.filter(memberships__organisation=organisation)
        .distinct()
        .order_by("full_name", "pk")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(organisation=organisation),
                to_attr="roles_here",
            )
        )
    )
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    can_manage = has_permission(request.user, Perm.MEMBERS_MANAGE, organisation)
    context = {
        "organisation": organisation,
        "page": Paginator(people, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query,
        "query_string": _query_string_without_page(request),
        "can_manage": can_manage,
        "invitations": Invitation.objects.filter(organisation=organisation)
        .pending()
        .select_related("invited_by")
        if can_manage
        else [],
    }
    return render(request, "organisations/member_list.html", context)


def member_roles(request, ods_code, user_id):
    organisation = get_organisation_for(request, ods_code, Perm.MEMBERS_MANAGE)
    person = get_object_or_404(
        User.objects.filter(memberships__organisation=organisation).distinct(), pk=user_id
    )
    current = list(
        Membership.objects.filter(organisation=organisation, user=person).values_list(
            "role", flat=True
        )
    )
    form = MemberRolesForm(
        request.POST if request.method == "POST" else None, initial={"roles": current}
    )
    if request.method == "POST" and form.is_valid():
        roles = form.cleaned_data["roles"]
        try:
            services.membership_roles_set(
                by=request.user, organisation=organisation, user=person, roles=roles
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if roles:
                messages.success(request, f"{person}'s roles have been changed")
            else:
                messages.success(request, f"{person} has been removed from {organisation.name}")
            return redirect("organisations:members", ods_code=organisation.ods_code)
    context = {"organisation": organisation, "person": person, "form": form}
    return render(request, "organisations/member_roles.html", context)


def invitation_create(request, ods_code):
    organisation = get_organisation_for(request, ods_code, Perm.MEMBERS_MANAGE)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                by=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"An invitation has been sent to {invitation.email}")
            return redirect("organisations:members", ods_code=organisation.ods_code)
    context = {
        "organisation": organisation,
        "form": form,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
    }
    return render(request, "organisations/invitation_create.html", context)


@require_POST
def invitation_revoke(request, ods_code, pk):
    organisation = get_organisation_for(request, ods_code, Perm.MEMBERS_MANAGE)
    invitation = get_object_or_404(
        Invitation.objects.visible_to(request.user).filter(organisation=organisation), pk=pk
    )
    try:
        services.invitation_revoke(by=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The invitation to {invitation.email} has been withdrawn")
    return redirect("organisations:members", ods_code=organisation.ods_code)


@login_not_required
def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(
            request, "organisations/invitation_unusable.html", {"message": str(error)}, status=410
        )
    user = request.user if request.user.is_authenticated else None
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if user is None and existing is not None and not existing.is_active:
        message = "Your account is not active. Ask a site administrator to reactivate it."
        return render(
            request, "organisations/invitation_unusable.html", {"message": message}, status=410
        )
    has_account = user is not None or existing is not None
    form = (
        None
        if has_account
        else AcceptInvitationForm(
            request.POST if request.method == "POST" else None, email=invitation.email
        )
    )
    can_accept = user is not None or form is not None
    if request.method == "POST" and can_accept and (form is None or form.is_valid()):
        try:
            accepted_by = services.invitation_accept(
                token=token,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except services.InvitationError as error:
            return render(
                request,
                "organisations/invitation_unusable.html",
                {"message": str(error)},
                status=410,
            )
        if user is None:
            login(request, accepted_by, backend="django.contrib.auth.backends.ModelBackend")
        set_current_organisation(request, invitation.organisation)
        messages.success(
            request,
            f"You are now a {invitation.get_role_display().lower()} in "
            f"{invitation.organisation.name}",
        )
        return redirect("home")
    context = {"invitation": invitation, "form": form, "has_account": has_account, "token": token}
    return render(request, "organisations/invitation_accept.html", context)


def appointment_create(request, ods_code):
    return _appointment_form(request, ods_code, None)


def appointment_update(request, ods_code, pk):
    return _appointment_form(request, ods_code, pk)


def _appointment_form(request, ods_code, pk):
    organisation = get_organisation_for(request, ods_code, Perm.APPOINTMENTS_MANAGE)
    appointment = (
        get_object_or_404(Appointment.objects.filter(organisation=organisation), pk=pk)
        if pk is not None
        else Appointment(organisation=organisation)
    )
    form = AppointmentForm(
        request.POST if request.method == "POST" else None,
        instance=appointment,
        organisation=organisation,
        initial={"post": request.GET.get("post")} if pk is None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_save(by=request.user, appointment=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{appointment.holder_name} is recorded as {appointment.get_post_display()}",
            )
            return redirect(organisation)
    context = {"organisation": organisation, "form": form, "appointment": appointment}
    return render(request, "organisations/appointment_form.html", context)
