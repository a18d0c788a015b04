from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.forms import form_page, submitted
from core.http import allow

from . import services
from .forms import GroupForm, PageForm, PreferenceForm
from .models import Notification, Preference
from .topics import label

GROUPS_A_PAGE = 20
# The latest of a group that its line opens on; the rest are marked read with it.
SHOWN_A_GROUP = 50


def _mine(request):
    return Notification.objects.filter(recipient=request.user)


@allow("GET")
def notification_list(request):
    """The person's notifications, a line for each topic, kind and day ("12 alert actions due
    tomorrow"), each opening on its notifications: the lines in one query, the notifications of
    a page's lines in another."""
    mine = _mine(request)
    page = Paginator(services.groups_of(mine), GROUPS_A_PAGE).get_page(PageForm(request.GET).number)
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "groups": _filled(mine, list(page.object_list))},
    )


def _filled(mine, groups: list[dict]) -> list[dict]:
    if not groups:
        return []
    days = [group["day"] for group in groups]
    rows = services.in_days(
        mine.filter(
            topic__in={group["topic"] for group in groups},
            kind__in={group["kind"] for group in groups},
        ),
        min(days),
        max(days),
    ).only("pk", "topic", "kind", "title", "body", "url", "created_at", "read_at")
    kept: dict[tuple, list] = {}
    for row in rows:
        key = (row.topic, row.kind, timezone.localdate(row.created_at))
        kept.setdefault(key, []).append(row)
    for group in groups:
        notifications = kept.get((group["topic"], group["kind"], group["day"]), [])
        group["notifications"] = notifications[:SHOWN_A_GROUP]
        group["label"] = label(
            group["topic"],
            group["kind"],
            group["count"],
            notifications[0].title if notifications else "",
        )
    return groups


@allow("POST")
def notification_read(request, pk):
    notification = get_object_or_404(_mine(request), pk=pk)
    services.mark_read(user=request.user, notifications=_mine(request).filter(pk=pk))
    return redirect(notification.url or "notifications:list")


@allow("POST")
def notifications_all_read(request):
    count = services.mark_read(user=request.user, notifications=_mine(request))
    messages.success(request, _marked(count))
    return redirect("notifications:list")


@allow("POST")
def notifications_group_read(request):
    """Mark one line's notifications read, and go back to the page it was on."""
    form = GroupForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Those notifications could not be found: nothing was marked")
        return redirect("notifications:list")
    data = form.cleaned_data
    count = services.mark_read(
        user=request.user,
        notifications=services.in_group(
            _mine(request), topic=data["topic"], kind=data["kind"], day=data["day"]
        ),
    )
    messages.success(request, _marked(count))
    page = f"?page={data['page']}" if data.get("page") else ""
    return redirect(reverse("notifications:list") + page)


def _marked(count: int) -> str:
    return f"{count} {'notification' if count == 1 else 'notifications'} marked as read"


@allow("GET", "POST")
def preferences(request):
    current = Preference.objects.filter(user=request.user).first()
    return form_page(
        request,
        PreferenceForm(
            submitted(request),
            initial={"delivery": current.delivery if current else Preference.Delivery.EACH},
        ),
        "notifications/preferences.html",
        save=lambda data: services.preference_set(user=request.user, delivery=data["delivery"]),
        saved=lambda preference: f"Saved. {preference.get_delivery_display()}",
        then="notifications:list",
    )
