# syntax=docker/dockerfile:1
# MSO Portal production image: one image for web (gunicorn), worker and beat (celery).
# See docs/operations.md and docker-compose.yml.

# --- NHS.UK frontend assets from npm (runtime dependencies only; axe-core is for tests) ---
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && test -f node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css \
    && test -f node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js

# --- The application ---
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=mso_portal.settings \
    # Run the code from /app (next to templates/, static/, node_modules/), not site-packages:
    # settings find those folders relative to the mso_portal package.
    PYTHONPATH=/app \
    DEBUG=0

# WeasyPrint (the committees' PDF reports, made by the worker) draws text with Pango, subsets
# fonts with HarfBuzz and needs a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not reinstall them. (README.m[d]: pyproject names it
# as the readme; the pattern keeps the build working if it is ever missing.)
COPY pyproject.toml README.m[d] ./
RUN pip install . && rm -rf build ./*.egg-info

COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info
COPY --from=assets /build/node_modules ./node_modules

# Static files are collected into the image (WhiteNoise serves them, compressed and hashed).
# The web service runs collectstatic again at start, which is quick when nothing changed.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input --verbosity 1 \
    && mkdir -p private-media \
    && chown -R app:app staticfiles private-media

USER app
EXPOSE 8000

CMD ["gunicorn", "mso_portal.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--logger-class", "core.logging.GunicornLogger", \
     "--timeout", "60"]
