from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import form_page, submitted
from core.http import allow

from . import services
from .forms import PageForm, PreferenceForm
from .models import Notification, Preference

PAGE_SIZE = 25


def _mine(request):
    return Notification.objects.filter(recipient=request.user)


@allow("GET")
def notification_list(request):
    page = Paginator(_mine(request), PAGE_SIZE).get_page(PageForm(request.GET).number)
    return render(request, "notifications/notification_list.html", {"page": page})


@allow("POST")
def notification_read(request, pk):
    notification = get_object_or_404(_mine(request), pk=pk)
    services.mark_read(user=request.user, notifications=_mine(request).filter(pk=pk))
    return redirect(notification.url or "notifications:list")


@allow("POST")
def notifications_all_read(request):
    count = services.mark_read(user=request.user, notifications=_mine(request))
    messages.success(
        request, f"{count} {'notification' if count == 1 else 'notifications'} marked as read"
    )
    return redirect("notifications:list")


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
        saved=lambda preference: (
            f"Your reminders will come as: {preference.get_delivery_display().lower()}"
        ),
        then="notifications:list",
    )
