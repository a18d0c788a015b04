"""Pages of the MSO networks: the networks and their members, events (with calendars), the
library, workplans and offers to present at a webinar, and the buddy scheme. Who may do what
is declared in networks/access.py."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.confirm import confirm_first
from core.forms import form_page, submitted
from core.http import Refused, allow, query_string_without_page
from core.uploads import accepts_upload, download, upload_too_big
from networks.permissions import Perm
from organisations.access import access_for
from organisations.forms import SearchForm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from . import buddies, calendar, getting_started, services
from .access import can_remove_resource, get_network_for, network_access
from .forms import (
    BuddyOfferForm,
    BuddyRequestForm,
    EventForm,
    ResourceForm,
    ResourceSearchForm,
    WebinarDecisionForm,
    WebinarOfferForm,
    WorkplanFilterForm,
    WorkplanItemForm,
    WorkplanStateForm,
)
from .models import (
    BuddyOffer,
    BuddyRequest,
    Event,
    Network,
    NetworkMembership,
    Resource,
    WebinarOffer,
    WorkplanItem,
)

PAGE_SIZE = 25


# Networks and their members -------------------------------------------------------------


@allow("GET")
def network_list(request):
    access = network_access(request.user)
    networks = access.visible().annotate(members=Count("memberships"))
    if not access.may_join and not access.roles:
        raise PermissionDenied
    context = {
        "networks": networks,
        "access": access,
        "buddy_scheme": any(_buddy_roles(request.user)),
    }
    return render(request, "networks/network_list.html", context)


@allow("GET")
def network_detail(request, slug):
    network = get_network_for(request.user, slug)
    access = network_access(request.user)
    member, lead = access.is_member(network), access.is_lead(network)
    keeps_workplan = network.kind != Network.Kind.NATIONAL
    context = {
        "network": network,
        "member": member,
        "lead": lead,
        "events": network.events.filter(ends_at__gte=timezone.now())[:5] if member else [],
        "leads": network.memberships.filter(role=NetworkMembership.Role.LEAD).select_related(
            "user"
        ),
        "feed_url": calendar.feed_url(request.user, network) if member else "",
        "keeps_workplan": keeps_workplan,
        "workplan": _workplan(network.workplan.all())
        if keeps_workplan and (member or access.sees_every_workplan())
        else None,
        "today": timezone.localdate(),
        "offers_waiting": network.webinar_offers.filter(status=WebinarOffer.Status.OFFERED).count()
        if lead
        else 0,
    }
    return render(request, "networks/network_detail.html", context)


def _workplan(items):
    return items.select_related("owner", "network").annotate(involved=Count("organisations"))


@allow("POST")
def network_join(request, slug):
    network = get_network_for(request.user, slug)
    if not network_access(request.user).may_join:
        raise PermissionDenied
    services.join(by=request.user, network=network)
    messages.success(request, f"You are now a member of {network.name}")
    return redirect(network)


@allow("POST")
def network_leave(request, slug):
    network = get_network_for(request.user, slug, member=True)
    try:
        services.leave(by=request.user, network=network)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"You have left {network.name}")
    return redirect(network)


@allow("GET")
def network_members(request, slug):
    network = get_network_for(request.user, slug, member=True)
    form = SearchForm(request.GET or None)
    members = network.memberships.select_related("user").order_by("-role", "user__full_name")
    if q := form.query:
        members = members.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    page = Paginator(members, PAGE_SIZE * 2).get_page(form.page_number)
    context = {
        "network": network,
        "page": page,
        "form": form,
        "query_string": query_string_without_page(request),
    }
    return render(request, "networks/network_members.html", context)


# Events -----------------------------------------------------------------------------------


def _event(request, slug, pk, **need):
    network = get_network_for(request.user, slug, **need)
    return network, get_object_or_404(Event, pk=pk, network=network)


@allow("GET")
def event_list(request, slug):
    network = get_network_for(request.user, slug, member=True)
    now = timezone.now()
    context = {
        "network": network,
        "upcoming": network.events.filter(ends_at__gte=now),
        "past": network.events.filter(ends_at__lt=now).order_by("-starts_at")[:10],
        "lead": network_access(request.user).is_lead(network),
        "feed_url": calendar.feed_url(request.user, network),
    }
    return render(request, "networks/event_list.html", context)


@allow("GET")
def event_detail(request, slug, pk):
    network, event = _event(request, slug, pk, member=True)
    context = {
        "network": network,
        "event": event,
        "lead": network_access(request.user).is_lead(network),
        "presentations": event.presentations.filter(
            status=WebinarOffer.Status.ACCEPTED
        ).select_related("offered_by"),
    }
    return render(request, "networks/event_detail.html", context)


@allow("GET", "POST")
def event_create(request, slug):
    network = get_network_for(request.user, slug, lead=True)
    return _event_form(request, network, Event())


@allow("GET", "POST")
def event_update(request, slug, pk):
    network, event = _event(request, slug, pk, lead=True)
    return _event_form(request, network, event)


@allow("GET", "POST")
def event_cancel(request, slug, pk):
    """A lead takes an event off the network's calendar (and so off every feed), after a
    confirmation page."""
    network, event = _event(request, slug, pk, lead=True)
    if request.method == "POST":
        services.event_delete(by=request.user, event=event)
        messages.success(request, f"“{event.title}” is cancelled and off the calendar")
        return redirect("networks:events", slug=network.slug)
    return render(request, "networks/event_cancel.html", {"network": network, "event": event})


def _event_form(request, network, event):
    form = EventForm(submitted(request), instance=event, network=network)
    return form_page(
        request,
        form,
        "networks/event_form.html",
        {"network": network, "event": event},
        save=lambda data: services.event_save(by=request.user, event=form.instance),
        saved=lambda kept: f"“{kept.title}” is saved",
        refusal_field="on",
    )


@allow("GET")
def event_ics(request, slug, pk):
    network, event = _event(request, slug, pk, member=True)
    response = HttpResponse(calendar.calendar(network, [event]), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="{network.slug}-{event.pk}.ics"'
    return response


@login_not_required
@allow("GET")
def calendar_feed(request, slug, token):
    """A network's events for a calendar program, which signs nobody in: the token in the
    address names the person, and works while they are in the network."""
    found = calendar.read_token(token)
    network = Network.objects.filter(slug=slug).first()
    if found is None or network is None or found[1] != network.pk:
        raise Http404("No such calendar")
    membership = (
        NetworkMembership.objects.filter(
            pk=found[2], network=network, user_id=found[0], user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if membership is None or not network_access(membership.user).is_member(network):
        raise Http404("No such calendar")
    events = network.events.filter(ends_at__gte=timezone.now() - timedelta(days=90))
    response = HttpResponse(calendar.calendar(network, events), content_type="text/calendar")
    response["Cache-Control"] = "private, no-store"
    return response


# The library ------------------------------------------------------------------------------


@allow("GET")
def resource_list(request, slug):
    network = get_network_for(request.user, slug, member=True)
    form = ResourceSearchForm(request.GET or None)
    resources = network.resources.select_related("shared_by").prefetch_related("tags")
    if q := form.query:
        resources = resources.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(tags__name=q.lower())
        ).distinct()
    tag = form.cleaned_data.get("tag") if form.is_valid() else ""
    if tag:
        resources = resources.filter(tags__name=tag.lower())
    page = Paginator(resources, PAGE_SIZE).get_page(form.page_number)
    context = {
        "network": network,
        "form": form,
        "tag": tag,
        "page": page,
        "removable": {r.pk for r in page.object_list if can_remove_resource(request.user, r)},
        "query_string": query_string_without_page(request),
    }
    return render(request, "networks/resource_list.html", context)


def _as_member(request, slug):
    return get_network_for(request.user, slug, member=True)


@allow("GET", "POST")
@accepts_upload(_as_member)
def resource_create(request, slug):
    network = _as_member(request, slug)
    form = ResourceForm(
        submitted(request),
        request.FILES if request.method == "POST" else None,
        too_big=upload_too_big(request),
    )

    def share(data) -> Resource:
        return services.resource_share(
            by=request.user,
            resource=form.resource(network),
            tags=services.tag_names(data["tags"]),
        )

    return form_page(
        request,
        form,
        "networks/resource_form.html",
        {"network": network},
        save=share,
        saved=lambda resource: f"“{resource.title}” is in the library",
        then=reverse("networks:resources", kwargs={"slug": network.slug}),
        refusal_field="title",
    )


def _resource(request, slug, pk):
    network = get_network_for(request.user, slug, member=True)
    return get_object_or_404(Resource.objects.select_related("network"), pk=pk, network=network)


@allow("GET")
def resource_download(request, slug, pk):
    resource = _resource(request, slug, pk)
    if not resource.file:
        raise Http404("This resource is a link")
    return download(resource.file, filename=resource.filename, content_type=resource.content_type)


@allow("POST")
def resource_remove(request, slug, pk):
    resource = _resource(request, slug, pk)
    if not can_remove_resource(request.user, resource):
        raise PermissionDenied
    asking = confirm_first(
        request,
        question=f"Remove “{resource.title}” from the library?",
        detail="The network's members no longer find it. Share it again to put it back.",
        button="Remove it from the library",
        back=reverse("networks:resources", args=[slug]),
        caption=str(resource.network),
    )
    if asking:
        return asking
    services.resource_remove(by=request.user, resource=resource)
    messages.success(request, f"“{resource.title}” is removed from the library")
    return redirect("networks:resources", slug=slug)


# The buddy scheme -------------------------------------------------------------------------


def _buddy_roles(user) -> tuple[bool, bool]:
    """Whether the person may ask for or offer a buddy, and whether they pair those who did."""
    access = access_for(user)
    return access.has(Perm.NETWORKS_JOIN), access.has(Perm.BUDDIES_PAIR)


def _buddy_scheme(request):
    may_join, may_pair = _buddy_roles(request.user)
    if not (may_join or may_pair):
        raise PermissionDenied
    return may_join, may_pair


def _mso_organisations(user):
    """The organisations where the person may ask for a buddy: where they are MSO or deputy."""
    theirs = list(Organisation.objects.worked_in_by(user))
    permissions = access_for(user).permission_map()
    return Organisation.objects.worked_in_by(user).filter(
        pk__in=[o.pk for o in theirs if Perm.NETWORKS_JOIN in permissions[o]]
    )


@allow("GET")
def buddy_scheme(request):
    may_join, may_pair = _buddy_scheme(request)
    offer = BuddyOffer.objects.filter(user=request.user).first()
    context = {
        "may_join": may_join,
        "can_ask": may_join and _mso_organisations(request.user).exists(),
        "offer": offer,
        "mentees": offer.pairings.filter(status=BuddyRequest.Status.PAIRED).select_related(
            "user", "organisation"
        )
        if offer
        else [],
        # An offer is not suggested while its person leaves an MSO post (buddies.leaving).
        "offer_paused": offer is not None
        and BuddyOffer.objects.filter(buddies.leaving(), pk=offer.pk).exists(),
        "requests": BuddyRequest.objects.filter(user=request.user)
        .exclude(status=BuddyRequest.Status.WITHDRAWN)
        .select_related("organisation", "buddy__user"),
        "waiting": [],
    }
    if may_pair:
        offers = list(buddies.offers_with_room())
        context["waiting"] = [
            (waiting, buddies.ranked(waiting, offers)[:3])
            for waiting in buddies.waiting_for(request.user)[:50]
        ]
    return render(request, "networks/buddy_scheme.html", context)


@allow("GET", "POST")
def buddy_offer(request):
    if not access_for(request.user).has(Perm.NETWORKS_JOIN):
        raise PermissionDenied
    offer = BuddyOffer.objects.filter(user=request.user).first() or BuddyOffer(user=request.user)
    form = BuddyOfferForm(submitted(request), instance=offer)
    return form_page(
        request,
        form,
        "networks/buddy_offer.html",
        save=lambda data: services.buddy_offer_save(by=request.user, offer=form.instance),
        saved="Thank you: your offer to be a buddy is saved",
        then="networks:buddies",
        refusal_field="capacity",
    )


@allow("GET", "POST")
def buddy_request(request):
    organisations = _mso_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied  # the scheme pairs new MSOs
    form = BuddyRequestForm(
        submitted(request),
        organisations=organisations,
        instance=BuddyRequest(user=request.user),
    )
    return form_page(
        request,
        form,
        "networks/buddy_request.html",
        save=lambda data: services.buddy_request(by=request.user, request=form.instance),
        saved="A network lead will find you a buddy",
        then="networks:buddies",
        refusal_field="note",
    )


@allow("POST")
def buddy_request_withdraw(request, pk):
    mine = get_object_or_404(BuddyRequest, pk=pk, user=request.user)
    asking = confirm_first(
        request,
        question="Withdraw your request for a buddy?",
        detail="The network leads no longer pair you with an experienced MSO. You can ask again.",
        button="Withdraw the request",
        back=reverse("networks:buddies"),
    )
    if asking:
        return asking
    services.buddy_request_withdraw(by=request.user, request=mine)
    messages.success(request, "Your request for a buddy is withdrawn")
    return redirect("networks:buddies")


@allow("POST")
def buddy_pair(request, pk, offer_pk):
    if not access_for(request.user).has(Perm.BUDDIES_PAIR):
        raise PermissionDenied
    waiting = get_object_or_404(BuddyRequest.objects.select_related("organisation"), pk=pk)
    get_object_for(request.user, Organisation, Perm.BUDDIES_PAIR, pk=waiting.organisation_id)
    offer = get_object_or_404(BuddyOffer.objects.select_related("user"), pk=offer_pk)
    try:
        services.buddy_pair(by=request.user, request=waiting, offer=offer)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, f"{waiting.user.full_name} and {offer.user.full_name} are buddies"
        )
    return redirect(reverse("networks:buddies"))


# Getting started --------------------------------------------------------------------------


@allow("POST")
def getting_started_tick(request, ods_code, item):
    """A new MSO ticks an item of their checklist (or takes the tick away)."""
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    items = getting_started.checklist(request.user, organisation)
    if items is None:
        raise PermissionDenied  # the checklist is the new MSO's own
    if item not in {entry.key for entry in items if not entry.ticks_itself}:
        raise Http404("No such item")
    done = request.POST.get("done") == "on"
    services.getting_started_tick(by=request.user, organisation=organisation, item=item, done=done)
    return redirect(f"{reverse('home')}#getting-started")


# Workplans --------------------------------------------------------------------------------


def _workplan_network(request, slug, **need):
    """A regional or specialised network (a national one keeps no workplan: 404), as
    ``get_network_for`` gives it; read by its members and by the national MSO network's
    leads."""
    network = get_network_for(request.user, slug, **need)
    if network.kind == Network.Kind.NATIONAL:
        raise Http404("A national network keeps no workplan")
    access = network_access(request.user)
    if not (access.is_member(network) or access.sees_every_workplan()):
        raise Refused(
            f"Only members of {network.name} see its workplan.",
            link=(network.get_absolute_url(), f"Join {network.name}"),
        )
    return network


@allow("GET")
def workplans(request):
    """Every network's workplan, for the leads of the national MSO network."""
    if not network_access(request.user).sees_every_workplan():
        raise PermissionDenied
    form = WorkplanFilterForm(request.GET)
    items = _workplan(WorkplanItem.objects.all()).order_by("network__name", "due_on", "pk")
    if network := form.cleaned("network"):
        items = items.filter(network=network)
    if state := form.cleaned("state"):
        items = items.filter(state=state)
    context = {
        "form": form,
        "page": Paginator(items, PAGE_SIZE * 2).get_page(form.page_number),
        "query_string": query_string_without_page(request),
        "today": timezone.localdate(),
    }
    return render(request, "networks/workplans.html", context)


@allow("GET", "POST")
def workplan_item(request, slug, pk):
    network = _workplan_network(request, slug)
    item = get_object_or_404(
        WorkplanItem.objects.select_related("owner", "network", "created_by"),
        pk=pk,
        network=network,
    )
    moves_on = network_access(request.user).moves_on(item)
    form = None
    if moves_on or request.method == "POST":
        if not moves_on:
            raise PermissionDenied
        form = WorkplanStateForm(submitted(request), initial={"state": item.state})
    return form_page(
        request,
        form,
        "networks/workplan_item.html",
        {
            "network": network,
            "item": item,
            "involved": item.organisations.order_by("name"),
            "lead": network_access(request.user).is_lead(network),
            "today": timezone.localdate(),
        },
        save=lambda data: services.workplan_state_set(
            by=request.user, item=item, state=data["state"]
        ),
        saved=lambda _: f"“{item.title}” is now {item.get_state_display().lower()}",
        then=item,
    )


@allow("GET", "POST")
def workplan_item_create(request, slug):
    network = _workplan_network(request, slug, lead=True)
    return _workplan_form(request, network, WorkplanItem(network=network))


@allow("GET", "POST")
def workplan_item_update(request, slug, pk):
    network = _workplan_network(request, slug, lead=True)
    item = get_object_or_404(WorkplanItem, pk=pk, network=network)
    return _workplan_form(request, network, item)


def _workplan_form(request, network, item):
    form = WorkplanItemForm(submitted(request), instance=item, network=network)
    return form_page(
        request,
        form,
        "networks/workplan_item_form.html",
        {"network": network, "item": item},
        save=lambda data: services.workplan_item_save(
            by=request.user, item=form.instance, organisations=data["involved"]
        ),
        saved=lambda item: f"“{item.title}” is saved in the workplan",
        refusal_field="title",
    )


# Offers to present at a webinar ------------------------------------------------------------


@allow("GET", "POST")
def webinar_offer_create(request, slug):
    network = get_network_for(request.user, slug, member=True)
    form = WebinarOfferForm(submitted(request), network=network)
    return form_page(
        request,
        form,
        "networks/webinar_offer_form.html",
        {"network": network},
        save=lambda data: services.webinar_offer(by=request.user, offer=form.instance),
        saved="Your offer is sent to the network's leads",
        then=network,
        refusal_field="topic",
    )


@allow("GET")
def webinar_offers(request, slug):
    network = get_network_for(request.user, slug, lead=True)
    offers = network.webinar_offers.select_related("offered_by", "event").order_by(
        "status", "preferred_month", "pk"
    )
    context = {
        "network": network,
        "page": Paginator(offers, PAGE_SIZE * 2).get_page(SearchForm(request.GET).page_number),
        "query_string": query_string_without_page(request),
    }
    return render(request, "networks/webinar_offers.html", context)


@allow("GET", "POST")
def webinar_offer_decide(request, slug, pk):
    network = get_network_for(request.user, slug, lead=True)
    offer = get_object_or_404(
        WebinarOffer.objects.select_related("offered_by", "event"), pk=pk, network=network
    )
    form = None
    if offer.status == WebinarOffer.Status.OFFERED:
        form = WebinarDecisionForm(submitted(request), network=network)
    elif request.method == "POST":
        messages.error(request, f"This offer was {offer.get_status_display().lower()} already")
        return redirect("networks:webinar_offers", slug=network.slug)
    return form_page(
        request,
        form,
        "networks/webinar_offer_decide.html",
        {"network": network, "offer": offer},
        save=lambda data: services.webinar_decide(
            by=request.user,
            offer=offer,
            accept=data["decision"] == "accept",
            event=data["event"],
            reason=data["reason"],
        ),
        saved=lambda decided: f"The offer is {decided.get_status_display().lower()}",
        then=reverse("networks:webinar_offers", kwargs={"slug": network.slug}),
        refusal_field="decision",
    )
