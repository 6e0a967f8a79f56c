# syntax=docker/dockerfile:1
# One image for every role of the #MeToo Archive: web (the default command), the Celery worker,
# Celery beat and the one-off migration run. docker-compose.yml picks the role per service.
FROM python:3.11-slim

# The code runs from /app (not from site-packages): settings find templates/ and static/ next to
# the metoo_archive package, so /app comes first on the import path.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_WORKERS=2 \
    GUNICORN_THREADS=4

RUN groupadd --system --gid 10001 archive \
    && useradd --system --uid 10001 --gid archive --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin archive \
    && python -m venv /opt/venv

WORKDIR /app

# Web captures keep a screenshot of the rendered page where Chromium is installed; build with
# `--build-arg WITH_CHROMIUM=1` for it (about 300 MB more). Without it captures still succeed.
ARG WITH_CHROMIUM=0
RUN if [ "$WITH_CHROMIUM" = "1" ]; then \
        apt-get update && apt-get install -y --no-install-recommends chromium \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# PostgreSQL's client tools of the server's major version (18): `manage.py backup` runs pg_dump,
# `restore` pg_restore and psql, and each refuses a server newer than itself; Debian's own are
# older, so they come from the PostgreSQL project's apt repository (PGDG).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-18 \
    && rm -rf /var/lib/apt/lists/*
ENV BACKUP_PG_BIN_DIR=/usr/lib/postgresql/18/bin

# Dependencies first, from the lock alone (exact versions, each checked against its hash), so a
# code change does not reinstall them. The lock's production set has no test or development
# packages (no embedded PostgreSQL: DATABASE_URL is required here).
COPY requirements/prod.txt ./requirements/prod.txt
RUN pip install --require-hashes --no-deps -r requirements/prod.txt

# The code runs from /app (PYTHONPATH above); it is not installed as a package.
COPY pyproject.toml README.md ./
COPY metoo_archive ./metoo_archive
COPY apps ./apps
COPY manage.py gunicorn.conf.py ./
COPY templates ./templates
COPY static ./static

# Hashed, compressed static files for whitenoise. Production settings insist on SECRET_KEY and
# ALLOWED_HOSTS, so this step alone gets throwaway values; DATABASE_URL and CELERY_BROKER_URL are
# set so that neither the embedded PostgreSQL server nor the file-system broker is started.
RUN DEBUG=0 \
    SECRET_KEY=collectstatic-build-step-only \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@127.0.0.1:1/build \
    CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --no-input \
    && mkdir -p /app/var /var/lib/celery /srv/files /srv/backups \
    && chown archive:archive /app/var /var/lib/celery /srv/files /srv/backups

USER archive

EXPOSE 8000

# GUNICORN_WORKERS processes with GUNICORN_THREADS threads each; access log to stdout;
# gunicorn.conf.py's hook prepares each worker.
CMD ["sh", "-c", "exec gunicorn --config gunicorn.conf.py metoo_archive.wsgi --bind 0.0.0.0:8000 --workers \"$GUNICORN_WORKERS\" --threads \"$GUNICORN_THREADS\" --access-logfile - --error-logfile -"]
