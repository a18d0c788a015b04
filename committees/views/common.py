"""What the committee pages share: finding the committee a person may see."""

from django.core.exceptions import PermissionDenied

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
