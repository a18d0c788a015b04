from core.forms import form_page, submitted
from core.http import allow

from ..current import get_current_organisation, set_current_organisation
from ..forms import OrganisationSwitchForm
from ..models import Organisation


@allow("GET", "POST")
def organisation_switch(request):
    form = OrganisationSwitchForm(
        submitted(request),
        organisations=Organisation.objects.worked_in_by(request.user).order_by("name"),
        initial={"organisation": get_current_organisation(request)},
    )
    return form_page(
        request,
        form,
        "organisations/organisation_switch.html",
        save=lambda data: set_current_organisation(request, data["organisation"]),
        saved=lambda _: f"You are now working in {form.cleaned_data['organisation'].name}",
        then="home",
    )
