"""The organisation a signed-in person is working in, chosen with the organisation switcher."""

SESSION_KEY = "current_organisation_id"
_UNSET = object()


def get_current_organisation(request):
    """The organisation chosen in the switcher if the user still works there; otherwise the
    first by name of those they are a member of, then of those they cover (a PCN's practices);
    None for someone with no organisation (a network lead, a site administrator). Cached on the
    request."""
    cached = getattr(request, "_current_organisation", _UNSET)
    if cached is not _UNSET:
        return cached
    from .permissions import organisations_of

    organisation = None
    if request.user.is_authenticated:
        organisations = organisations_of(request.user).order_by("name")
        chosen = request.session.get(SESSION_KEY)
        if chosen is not None:
            organisation = organisations.filter(pk=chosen).first()
        if organisation is None:
            organisation = (
                organisations.filter(memberships__user=request.user).first()
                or organisations.first()
            )
    request._current_organisation = organisation
    return organisation


def set_current_organisation(request, organisation) -> None:
    request.session[SESSION_KEY] = organisation.pk
    request._current_organisation = organisation
