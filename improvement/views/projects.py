"""An organisation's improvement projects: the list, a project's page with its run chart and
PDSA cycles, and the forms that start, measure, test, finish and share it.

A project is found within an organisation the person sees: one they may not read there is 403
(its lead reads and keeps theirs, whatever their role); elsewhere it does not exist (404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.confirm import confirm_first
from core.forms import form_page, submitted
from core.http import allow
from improvement.permissions import Perm
from networks.access import network_access
from networks.models import Network
from networks.services import tag_names
from organisations.access import access_for
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import measures, services, writeup
from ..forms import CycleForm, FinishForm, MeasurePointForm, ProjectForm, ShareForm
from ..models import MeasurePoint, PdsaCycle, Project

MANAGE = Perm.IMPROVEMENT_MANAGE


def _organisation(request, ods_code, perm=None):
    return get_object_for(request.user, Organisation, perm, ods_code=ods_code)


def project_for(request, ods_code, pk, perm=None) -> Project:
    organisation = _organisation(request, ods_code)
    project = get_object_for(
        request.user,
        Project.objects.select_related("organisation", "lead"),
        perm,
        within=organisation,
        pk=pk,
    )
    return project


@allow("GET")
def project_list(request, ods_code):
    organisation = _organisation(request, ods_code, Perm.PROJECTS_VIEW)
    projects = (
        Project.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("lead", "organisation")
        .order_by("status", "-started_on", "-pk")
    )
    context = {
        "organisation": organisation,
        "projects": projects,
        "can_manage": access_for(request.user).has(MANAGE, organisation),
    }
    return render(request, "improvement/project_list.html", context)


@allow("GET", "POST")
def project_create(request, ods_code):
    organisation = _organisation(request, ods_code, MANAGE)
    return _project_form(request, organisation, None)


def _project_form(request, organisation, project):
    """Start a project (its lead, by default, whoever starts it) or change one."""
    form = ProjectForm(
        submitted(request),
        instance=project,
        organisation=organisation,
        initial=None if project else {"lead": request.user.pk},
    )
    done = "is changed" if project else "is started"
    return form_page(
        request,
        form,
        "improvement/project_form.html",
        {"organisation": organisation, "project": project},
        save=lambda data: services.project_save(
            by=request.user, project=form.instance, references=form.references()
        ),
        saved=lambda project: f"“{project.title}” {done}",
        refusal_field="title",
    )


@allow("GET")
def project_detail(request, ods_code, pk):
    project = project_for(request, ods_code, pk)
    can_manage = access_for(request.user).has(MANAGE, project)
    context = {
        **writeup.context(project, removable=can_manage),
        "organisation": project.organisation,
        "incidents": project.incidents.visible_to(request.user).order_by("reference"),
        "alerts": project.alerts.order_by("reference"),
        "can_manage": can_manage,
    }
    return render(request, "improvement/project_detail.html", context)


@allow("GET")
def project_writeup(request, ods_code, pk):
    project = project_for(request, ods_code, pk)
    response = HttpResponse(writeup.render(project), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="project-{project.pk}.pdf"'
    return response


@allow("GET", "POST")
def project_update(request, ods_code, pk):
    project = project_for(request, ods_code, pk, MANAGE)
    return _project_form(request, project.organisation, project)


@allow("GET", "POST")
def point_create(request, ods_code, pk):
    project = project_for(request, ods_code, pk, MANAGE)
    form = MeasurePointForm(submitted(request), project=project)
    return form_page(
        request,
        form,
        "improvement/point_form.html",
        {"project": project},
        save=lambda data: services.point_record(by=request.user, point=form.instance),
        saved="The value is recorded",
        then=project,
        refusal_field="period_start",
    )


@allow("POST")
def point_remove(request, ods_code, pk):
    """Remove one value of the measure: the one whose button was pressed (``point``)."""
    project = project_for(request, ods_code, pk, MANAGE)
    point_pk = request.POST.get("point", "")
    if not point_pk.isdigit():
        raise Http404("No such value")
    point = get_object_for(request.user, MeasurePoint, project=project, pk=int(point_pk))
    period = measures.period_name(project.frequency, point.period_start)
    asking = confirm_first(
        request,
        question=f"Remove the value for {period}?",
        detail=f"The value {point.value:g} comes off the project's chart.",
        button="Remove the value",
        back=project.get_absolute_url(),
        caption=str(project),
    )
    if asking:
        return asking
    services.point_remove(by=request.user, point=point)
    messages.success(
        request,
        f"The value for {measures.period_name(project.frequency, point.period_start)} is removed",
    )
    return redirect(project)


@allow("GET", "POST")
def cycle_create(request, ods_code, pk):
    return _cycle_form(request, project_for(request, ods_code, pk, MANAGE), None)


@allow("GET", "POST")
def cycle_update(request, ods_code, pk, cycle_pk):
    project = project_for(request, ods_code, pk, MANAGE)
    cycle = get_object_for(request.user, PdsaCycle, project=project, pk=cycle_pk)
    return _cycle_form(request, project, cycle)


def _cycle_form(request, project, cycle):
    form = CycleForm(submitted(request), instance=cycle, project=project)
    return form_page(
        request,
        form,
        "improvement/cycle_form.html",
        {"project": project, "cycle": cycle},
        save=lambda data: services.cycle_save(by=request.user, cycle=form.instance),
        saved=lambda cycle: f"Cycle {cycle.number} is saved",
        then=project,
        refusal_field="change",
    )


@allow("GET", "POST")
def project_finish(request, ods_code, pk):
    project = project_for(request, ods_code, pk, MANAGE)
    if not project.is_active:
        messages.info(request, "The project has already ended")
        return redirect(project)
    return form_page(
        request,
        FinishForm(submitted(request)),
        "improvement/finish_form.html",
        {"project": project},
        save=lambda data: services.project_finish(
            by=request.user,
            project=project,
            status=data["status"],
            finished_on=data["finished_on"],
            results=data["results"],
        ),
        saved=lambda ended: f"The project is {ended.get_status_display().lower()}",
        refusal_field="status",
    )


@allow("POST")
def project_reopen(request, ods_code, pk):
    project = project_for(request, ods_code, pk, MANAGE)
    services.project_reopen(by=request.user, project=project)
    messages.success(request, "The project is in progress again")
    return redirect(project)


def share_networks(user):
    """The networks whose library the person may share with: those they are a member of."""
    return Network.objects.filter(pk__in=network_access(user).member_of()).order_by("kind", "name")


@allow("GET", "POST")
def project_share(request, ods_code, pk):
    project = project_for(request, ods_code, pk, MANAGE)
    return share_page(
        request,
        shared=project,
        back=project.get_absolute_url(),
        share=lambda network, tags: services.project_share(
            by=request.user, project=project, network=network, tags=tags
        ),
        what="Its write-up, as a PDF: the aim, the measure and its run chart, the PDSA cycles, "
        "co-production and results. The incidents it responds to are not in it.",
        tags=project.medicines,
    )


def share_page(request, *, shared, back, share, what, tags):
    """Share a project or a protocol with one of the person's networks, in one step."""
    networks = list(share_networks(request.user))
    if not networks:
        raise PermissionDenied("Join an MSO network to share with its library")
    form = ShareForm(
        submitted(request),
        networks=networks,
        initial={"network": networks[0].pk, "tags": tags},
    )
    return form_page(
        request,
        form,
        "improvement/share_form.html",
        {"shared": shared, "back": back, "what": what},
        save=lambda data: share(
            next(n for n in networks if n.pk == data["network"]), tag_names(data["tags"])
        ),
        saved=lambda resource: f"“{resource.title}” is in the library of {resource.network.name}",
        then=lambda resource: reverse("networks:resources", kwargs={"slug": resource.network.slug}),
        refusal_field="network",
    )
