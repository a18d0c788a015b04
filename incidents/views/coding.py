"""The safety team codes a reported medicine from the dm+d when the reporter's words did not:
the words find the candidates (medicines.search), the reviewer picks one. A plain form: it
works without JavaScript."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from medicines.search import search

from .. import services
from ..forms import MedicineCodeForm
from .incidents import incident_for


@allow("GET", "POST")
def medicine_code(request, reference, pk):
    incident = incident_for(request.user, reference, Perm.INCIDENTS_REVIEW)
    medicine = get_object_or_404(incident.medicines.all(), pk=pk)
    words = (request.GET.get("q") or medicine.name)[:100]
    matches = search(words)
    form = MedicineCodeForm(submitted(request), matches=matches)
    return form_page(
        request,
        form,
        "incidents/medicine_code.html",
        {"incident": incident, "medicine": medicine, "words": words, "matches": matches},
        save=lambda data: services.medicine_code(
            by=request.user, incident=incident, medicine=medicine, code=data["code"]
        ),
        saved=lambda coded: f"{coded.name} is coded from the dm+d",
        then=reverse("incidents:detail", kwargs={"reference": incident.reference}),
    )
