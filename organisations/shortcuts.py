from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Organisation
from .permissions import Perm, has_permission


def get_organisation_for(request, ods_code: str, perm: Perm = Perm.ORGANISATION_VIEW):
    """The organisation with this ODS code, if the user may see it (else 404), and if they hold
    ``perm`` in it (else 403). An organisation the user is not part of does not exist for them."""
    organisation = get_object_or_404(
        Organisation.objects.visible_to(request.user), ods_code=ods_code.upper()
    )
    if not has_permission(request.user, perm, organisation):
        raise PermissionDenied
    return organisation
