"""What the committee pages share: finding the committee a person may see, and calling a
service with a form's data."""

from django.core.exceptions import PermissionDenied, ValidationError

from mso_portal.forms import add_service_error
from organisations.access import access_for
from organisations.models import Organisation
from organisations.scoping import get_object_for

from ..models import Committee


def get_committee(request, ods_code, pk, perm=None) -> Committee:
    """The committee, with its organisation, in one query when the person may see it; else 404,
    or 403 where they see its organisation (``get_object_for``)."""
    committee = (
        Committee.objects.visible_to(request.user)
        .select_related("organisation")
        .filter(pk=pk, organisation__ods_code=ods_code)
        .first()
    )
    if committee is None:
        organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
        return get_object_for(request.user, Committee, perm, within=organisation, pk=pk)
    if perm is not None and not access_for(request.user).has(perm, committee):
        raise PermissionDenied
    return committee


def run_service(request, form, default_field, write):
    """Call the service ``write`` with the form's data; a refusal goes on the form."""
    try:
        return write()
    except ValidationError as error:
        add_service_error(form, error, default_field=default_field)
        return None
