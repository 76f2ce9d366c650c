# Arising in a container. Build: docker build -t arising .
# Run (HTTP):  docker run --env-file .env -p 3000:3000 -v arising-data:/data arising
# The default database is SQLite on the /data volume; set DATABASE_URL=postgresql+psycopg://... to use PostgreSQL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/arising.db \
    PORT=3000

# A fixed, unprivileged user; /data is created and owned by it before VOLUME so the volume inherits that.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home arising \
    && mkdir -p /app /data \
    && chown arising:arising /data

WORKDIR /app
# pyproject.toml names README.md as the package's readme, so the build needs it.
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . && rm -rf /app/build /app/*.egg-info

USER arising
VOLUME /data
EXPOSE 3000

# /healthz answers 200 when the database answers. In Socket Mode (SLACK_APP_TOKEN set) there is no HTTP
# server to ask, so the check passes; the process exiting is what shows a failure there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; os.environ.get('SLACK_APP_TOKEN') and sys.exit(0); urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

# Migrates the database to the newest schema, then serves (waitress) or connects in Socket Mode.
CMD ["arising", "run"]
