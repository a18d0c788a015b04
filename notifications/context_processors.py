from .services import unread_count


def unread(request):
    """How many lines of the person's notifications list are unread (a line for each kind and
    day), for the header (kept in the cache: services.unread_count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
