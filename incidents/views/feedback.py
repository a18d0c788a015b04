"""Patient and carer feedback about medicines, logged by the organisation's safety team as a
source of learning beside its incidents."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from organisations.forms import SearchForm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import privacy, services
from ..forms import FeedbackForm
from ..models import PatientFeedback

PAGE_SIZE = 25


@allow("GET")
def feedback_list(request, ods_code):
    organisation = get_object_for(
        request.user, Organisation, Perm.INCIDENTS_REVIEW, ods_code=ods_code
    )
    feedback = (
        PatientFeedback.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("recorded_by")
        .prefetch_related("themes")
    )
    context = {
        "organisation": organisation,
        "page": Paginator(feedback, PAGE_SIZE).get_page(SearchForm(request.GET).page_number),
    }
    return render(request, "incidents/feedback_list.html", context)


@allow("GET", "POST")
def feedback_create(request, ods_code):
    organisation = get_object_for(
        request.user, Organisation, Perm.INCIDENTS_REVIEW, ods_code=ods_code
    )
    form = FeedbackForm(
        submitted(request),
        organisation=organisation,
        identifier_shapes=privacy.shapes_for(organisation),
    )
    return form_page(
        request,
        form,
        "incidents/feedback_form.html",
        {"organisation": organisation},
        save=lambda data: services.feedback_record(
            by=request.user, feedback=form.instance, themes=form.theme_names()
        ),
        saved="The feedback is logged",
        then=reverse("incidents:feedback", kwargs={"ods_code": organisation.ods_code}),
        refusal_field="summary",
    )
