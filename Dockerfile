# Production image for the teacher portal: gunicorn serves portal.wsgi, WhiteNoise serves
# the static files collected at build time. The same image runs the Celery worker and beat
# (see docker-compose.yml). Every secret comes from the environment at run time. Port 8000
# is plain HTTP for the HTTPS proxy in front (docker-compose.yml's Caddy, ops/Caddyfile),
# never for browsers; /healthz/ there is what the healthcheck asks.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

# Unprivileged runtime user. Its home is writable (gunicorn puts its control socket in
# ~/.gunicorn); the code in /app stays owned by root, so the app cannot rewrite itself.
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --create-home --home-dir /home/portal \
        --shell /usr/sbin/nologin portal \
 && mkdir -p /data/media \
 && chown portal:portal /data/media

# A TrueType Chinese font, embedded (subset) in the honour certificates (CERTIFICATE_FONTS).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-arphic-uming \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. `[tool.setuptools]
# packages = []` makes `pip install .` install only the dependencies. README.md is named
# in pyproject.toml; the glob lets the build go on while the repository has none.
COPY pyproject.toml README.md* ./
RUN pip install --no-cache-dir . \
 && rm -rf build ./*.egg-info

# The code, listed explicitly so that .env, .venv, db.sqlite3, .git and the tests never
# end up in an image layer.
COPY manage.py ./
COPY portal ./portal
COPY training ./training
COPY talent ./talent
COPY honors ./honors
COPY compensation ./compensation
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Production settings refuse to import without these three; the values below exist only
# for this one command and are not stored in the image's environment.
RUN DJANGO_SECRET_KEY=build-only-dummy-not-a-secret \
    FIELD_ENCRYPTION_KEY=build-only-dummy-not-a-secret-at-least-32-chars \
    ID_HASH_KEY=build-only-dummy-not-a-secret \
    python manage.py collectstatic --noinput

USER portal

EXPOSE 8000

CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
