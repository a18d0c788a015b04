from django.contrib import messages
from django.shortcuts import redirect, render

from core.http import allow

from ..current import get_current_organisation, set_current_organisation
from ..forms import OrganisationSwitchForm
from ..models import Organisation


@allow("GET", "POST")
def organisation_switch(request):
    form = OrganisationSwitchForm(
        request.POST if request.method == "POST" else None,
        organisations=Organisation.objects.worked_in_by(request.user).order_by("name"),
        initial={"organisation": get_current_organisation(request)},
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        set_current_organisation(request, organisation)
        messages.success(request, f"You are now working in {organisation.name}")
        return redirect("home")
    return render(request, "organisations/organisation_switch.html", {"form": form})
