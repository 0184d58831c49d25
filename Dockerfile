# The portal's one image: web (gunicorn), worker and beat all run it with different commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=amanah.settings.production \
    DJANGO_STATIC_ROOT=/app/var/staticfiles \
    DJANGO_MEDIA_ROOT=/app/var/media

# WeasyPrint renders the bilingual PDF certificates with Pango (HarfBuzz shapes the Arabic);
# libpq is for psycopg2. Fonts ship in static/, nothing is fetched at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        libpq5 shared-mime-info fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 10001 amanah
WORKDIR /app

# Installed in place (editable), so settings find templates/, static/ and locale/ next to the
# code in /app exactly as on a developer's machine.
COPY . .
RUN pip install -e . \
    && mkdir -p var/media var/staticfiles var/sadad-inbox \
    && chown -R amanah:amanah var

USER amanah
EXPOSE 8000
# The request head is bounded here (gunicorn has no body limit: Django and the endpoints cap
# bodies while they stream); the same limits as docker-compose's web command. Workers and
# threads come from gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS; README "Deployment").
CMD ["gunicorn", "amanah.wsgi:application", "--bind", "0.0.0.0:8000", \
     "--access-logfile", "-", "--limit-request-line", "4094", "--limit-request-fields", "64", \
     "--limit-request-field_size", "8190"]
