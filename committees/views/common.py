"""What the committee pages share: finding the committee a person may see, and calling a
service with a form's data."""

from django.core.exceptions import ValidationError

from mso_portal.forms import add_service_error
from organisations.models import Organisation
from organisations.scoping import get_object_for

from ..models import Committee


def get_committee(request, ods_code, pk, perm=None) -> Committee:
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    return get_object_for(
        request.user,
        Committee.objects.select_related("organisation"),
        perm,
        within=organisation,
        pk=pk,
    )


def run_service(request, form, default_field, write):
    """Call the service ``write`` with the form's data; a refusal goes on the form."""
    try:
        return write()
    except ValidationError as error:
        add_service_error(form, error, default_field=default_field)
        return None
