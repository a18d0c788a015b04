from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.confirm import confirm_first
from core.forms import form_page, submitted
from core.http import allow

from . import services
from .forms import RegistrationForm, SyllabusForm, TrainingForm
from .mfa import grants_need_it
from .models import ProfessionalRegistration
from .sections import SECTIONS


@allow("GET")
def account(request):
    user = request.user
    context = {
        "mfa_enabled": Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists(),
        "mfa_required": grants_need_it(user),
        "registration": ProfessionalRegistration.objects.filter(user=user).first(),
        "training": list(user.training.all()),
        "syllabus": list(user.syllabus.all()),
        "sections": [(section.template, section.context(user)) for section in SECTIONS],
    }
    return render(request, "accounts/account.html", context)


def _own_record_page(request, form_class, template, service, *, saved, refusal_field, initial=None):
    """A page where the person records something of their own (their registration, training),
    then goes back to their account page."""
    return form_page(
        request,
        form_class(submitted(request), initial=initial),
        template,
        save=lambda data: service(by=request.user, **data),
        saved=saved,
        then="account",
        refusal_field=refusal_field,
    )


def _take_off(request, what: str, remove):
    """Ask, then take a record off the person's training and go back to their account."""
    asking = confirm_first(
        request,
        question=f"Take {what} off your training?",
        detail="It no longer shows on your account or on the MSO register.",
        button="Take it off",
        back=reverse("account"),
    )
    if asking:
        return asking
    remove()
    messages.success(request, f"{what} is taken off your training")
    return redirect("account")


@allow("GET", "POST")
def registration(request):
    """The person's own profession, registration number and pharmacy team."""
    kept = ProfessionalRegistration.objects.filter(user=request.user).first()
    initial = (
        {"profession": kept.profession, "number": kept.number, "pharmacy_team": kept.pharmacy_team}
        if kept
        else {}
    )
    return _own_record_page(
        request,
        RegistrationForm,
        "accounts/registration_form.html",
        services.registration_save,
        saved="Your professional registration is saved",
        refusal_field="profession",
        initial=initial,
    )


@allow("GET", "POST")
def training_add(request):
    return _own_record_page(
        request,
        TrainingForm,
        "accounts/training_form.html",
        services.training_add,
        saved=lambda training: f"{training.title} is added to your training",
        refusal_field="title",
    )


@allow("POST")
def training_remove(request, pk):
    training = get_object_or_404(request.user.training, pk=pk)
    return _take_off(
        request,
        training.title,
        lambda: services.training_remove(by=request.user, training=training),
    )


@allow("GET", "POST")
def syllabus_record(request):
    return _own_record_page(
        request,
        SyllabusForm,
        "accounts/syllabus_form.html",
        services.syllabus_record,
        saved=lambda record: f"{record.get_level_display()} is recorded in your training",
        refusal_field="level",
    )


@allow("POST")
def syllabus_remove(request, pk):
    record = get_object_or_404(request.user.syllabus, pk=pk)
    return _take_off(
        request,
        record.get_level_display(),
        lambda: services.syllabus_remove(by=request.user, record=record),
    )
