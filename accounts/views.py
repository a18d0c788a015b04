from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import form_page
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


@allow("GET", "POST")
def registration(request):
    """The person's own profession, registration number and pharmacy team."""
    kept = ProfessionalRegistration.objects.filter(user=request.user).first()
    initial = (
        {"profession": kept.profession, "number": kept.number, "pharmacy_team": kept.pharmacy_team}
        if kept
        else {}
    )
    return form_page(
        request,
        RegistrationForm(request.POST if request.method == "POST" else None, initial=initial),
        "accounts/registration_form.html",
        save=lambda data: services.registration_save(by=request.user, **data),
        saved="Your professional registration is saved",
        then="account",
        refusal_field="profession",
    )


@allow("GET", "POST")
def training_add(request):
    return form_page(
        request,
        TrainingForm(request.POST if request.method == "POST" else None),
        "accounts/training_form.html",
        save=lambda data: services.training_add(by=request.user, **data),
        saved=lambda training: f"{training.title} is added to your training",
        then="account",
        refusal_field="title",
    )


@allow("POST")
def training_remove(request, pk):
    training = get_object_or_404(request.user.training, pk=pk)
    services.training_remove(by=request.user, training=training)
    messages.success(request, f"{training.title} is taken off your training")
    return redirect("account")


@allow("GET", "POST")
def syllabus_record(request):
    return form_page(
        request,
        SyllabusForm(request.POST if request.method == "POST" else None),
        "accounts/syllabus_form.html",
        save=lambda data: services.syllabus_record(by=request.user, **data),
        saved=lambda record: f"{record.get_level_display()} is recorded in your training",
        then="account",
        refusal_field="level",
    )


@allow("POST")
def syllabus_remove(request, pk):
    record = get_object_or_404(request.user.syllabus, pk=pk)
    services.syllabus_remove(by=request.user, record=record)
    messages.success(request, f"{record.get_level_display()} is taken off your training")
    return redirect("account")
