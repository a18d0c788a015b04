from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve or run tasks without a SECRET_KEY (it may be unset only with DEBUG)."""
    try:
        settings.SECRET_KEY  # noqa: B018  (Django raises when it is empty)
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG is on.") from error
