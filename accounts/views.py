from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from core.forms import run_service
from core.http import allow

from . import services
from .forms import RegistrationForm, SyllabusForm, TrainingForm
from .mfa import grants_need_it
from .models import ProfessionalRegistration, SyllabusLevel
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
    form = RegistrationForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid() and run_service(
        request,
        form,
        "profession",
        lambda: services.registration_save(by=request.user, **form.cleaned_data),
    ):
        messages.success(request, "Your professional registration is saved")
        return redirect("account")
    return render(request, "accounts/registration_form.html", {"form": form})


@allow("GET", "POST")
def training_add(request):
    form = TrainingForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and run_service(
        request,
        form,
        "title",
        lambda: services.training_add(by=request.user, **form.cleaned_data),
    ):
        messages.success(request, f"{form.cleaned_data['title']} is added to your training")
        return redirect("account")
    return render(request, "accounts/training_form.html", {"form": form})


@allow("POST")
def training_remove(request, pk):
    training = get_object_or_404(request.user.training, pk=pk)
    services.training_remove(by=request.user, training=training)
    messages.success(request, f"{training.title} is taken off your training")
    return redirect("account")


@allow("GET", "POST")
def syllabus_record(request):
    form = SyllabusForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and run_service(
        request,
        form,
        "level",
        lambda: services.syllabus_record(by=request.user, **form.cleaned_data),
    ):
        level = SyllabusLevel(form.cleaned_data["level"]).label
        messages.success(request, f"{level} is recorded in your training")
        return redirect("account")
    return render(request, "accounts/syllabus_form.html", {"form": form})


@allow("POST")
def syllabus_remove(request, pk):
    record = get_object_or_404(request.user.syllabus, pk=pk)
    services.syllabus_remove(by=request.user, record=record)
    messages.success(request, f"{record.get_level_display()} is taken off your training")
    return redirect("account")
