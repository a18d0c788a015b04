import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mso_portal.settings")

application = get_asgi_application()

from mso_portal.startup import require_production_settings  # noqa: E402

require_production_settings()
