# Arising in a container. Build: docker build -t arising .
# Run (HTTP):  docker run --env-file .env -p 3000:3000 -v arising-data:/data arising
# Other commands: docker run ... arising migrate | serve --no-clock | clock | summary --board SSCB
# The default database is SQLite on the /data volume; set DATABASE_URL=postgresql+psycopg://... to use PostgreSQL
# (compose.yaml does). Dependencies come from requirements.lock (exact versions and hashes).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# -- build: the locked dependencies in a virtualenv, nothing else --------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/arising \
    && /opt/arising/bin/pip install --no-cache-dir --require-hashes --no-deps -r /tmp/requirements.lock

# -- runtime ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/arising/bin:$PATH \
    PYTHONPATH=/app \
    DATABASE_URL=sqlite:////data/arising.db \
    INBOX_DIR=/data/inbox \
    PORT=3000

# tini is PID 1: it passes SIGTERM to Arising (which finishes the work in hand and exits) and reaps orphans.
# The user has a fixed numeric id (runAsNonRoot can check it) and a passwd entry (libpq looks the user up).
# /data is created and owned by it before VOLUME, so a new volume inherits that.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini=0.19.0-1+b3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home arising \
    && mkdir -p /data \
    && chown 10001:10001 /data

COPY --from=build /opt/arising /opt/arising
WORKDIR /app
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
# Compiled once here (as root, read-only afterwards) so that each process starts without compiling.
RUN python -m compileall -q /app

USER 10001:10001
VOLUME /data
EXPOSE 3000

# /healthz answers 200 when the database answers. In Socket Mode (SLACK_APP_TOKEN set) there is no HTTP
# server to ask, so the check passes; the process exiting is what shows a failure there. The `clock`
# command serves no HTTP either: compose.yaml turns the check off for it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; os.environ.get('SLACK_APP_TOKEN') and sys.exit(0); urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

# `arising run` migrates the database, then serves HTTP (waitress) or connects in Socket Mode, with the clock.
ENTRYPOINT ["tini", "--", "python", "-m", "bot.cli"]
CMD ["run"]
