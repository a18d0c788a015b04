"""The benchmark's settings for building the static files (collectstatic): hashed as in
production, since the hashed names are what the pages link to, but not compressed. The
benchmark asks for pages, never for a static file, and compressing every one of NHS.UK
frontend's files twice (gzip and brotli) took most of a minute of each run."""

from tests.bench.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
