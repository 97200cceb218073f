"""/healthz/ (portal/health.py): 200 only when the database and the broker answer, 503 naming
the one that did not, nothing secret in the body; in production answered ahead of the Host
check and the HTTPS redirect. And the deployment files that rely on it: docker-compose.yml's
healthchecks and proxy, ops/Caddyfile's upload limit against the app's."""

import os
import re
import runpy
from pathlib import Path
from unittest import mock

import pytest
import redis
import yaml
from django.conf import settings
from django.db import OperationalError, connections
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
HEALTHZ = "/healthz/"


def get_health(client=None, **extra):
    response = (client or Client()).get(HEALTHZ, **extra)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response


@pytest.mark.django_db
def test_ok_when_database_and_broker_answer():
    # The test settings' broker is in-process (memory://): nothing to reach.
    response = get_health()
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://redis.invalid:6379/0")
def test_ok_with_a_redis_broker_that_answers_ping():
    with mock.patch.object(redis.Redis, "ping", return_value=True) as ping:
        response = get_health()
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
    ping.assert_called_once()


@pytest.mark.django_db
def test_503_when_the_database_does_not_answer():
    refused = OperationalError('connection to server at "postgres", port 5432 failed')
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = get_health()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "broker": "ok"},
    }
    assert b"postgres" not in response.content  # the reason goes to the log, not the body


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://redis.invalid:6379/0")
def test_503_when_the_broker_does_not_answer():
    refused = redis.ConnectionError("Error 111 connecting to redis.invalid:6379.")
    with mock.patch.object(redis.Redis, "ping", side_effect=refused):
        response = get_health()
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
    }


@pytest.mark.django_db
def test_503_when_nothing_listens_at_the_broker_address_and_no_secret_shows():
    # A real refused connection (nothing listens on port 1), with a password in the URL.
    with override_settings(CELERY_BROKER_URL="redis://:s3cret-pass@127.0.0.1:1/0"):
        response = get_health()
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"
    body = response.content.decode()
    assert "s3cret" not in body and "127.0.0.1" not in body and "redis" not in body


@pytest.mark.django_db
def test_503_when_both_are_down():
    with (
        mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("x")),
        override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"),
    ):
        response = get_health()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "broker": "unavailable"}


@pytest.mark.redis
@pytest.mark.django_db
def test_ok_against_the_real_redis_broker():
    with override_settings(CELERY_BROKER_URL=os.environ["REDIS_URL"]):
        response = get_health()
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_head_answers_and_other_methods_are_refused():
    assert Client().head(HEALTHZ).status_code == 200
    response = Client().post(HEALTHZ)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# --- Production: answered before the Host check and the HTTPS redirect --------------------


@pytest.fixture
def production(monkeypatch):
    """The production settings module's names, read with throw-away secrets."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", "test-only-not-a-secret")
    monkeypatch.setenv("FIELD_ENCRYPTION_KEY", "test-only-field-encryption-key-0123456789")
    monkeypatch.setenv("ID_HASH_KEY", "test-only-id-hash-key")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "portal.example.org")
    return runpy.run_module("portal.settings.production")


def test_production_puts_the_health_middleware_first(production):
    assert production["MIDDLEWARE"][0] == "portal.health.HealthCheckMiddleware"
    assert production["SECURE_SSL_REDIRECT"] is True
    assert any(
        re.match(pattern, HEALTHZ.lstrip("/")) for pattern in production["SECURE_REDIRECT_EXEMPT"]
    )


@pytest.mark.django_db
def test_production_answers_a_probe_over_http_with_any_host(production):
    with override_settings(
        MIDDLEWARE=production["MIDDLEWARE"],
        ALLOWED_HOSTS=production["ALLOWED_HOSTS"],
        SECURE_SSL_REDIRECT=True,
        SECURE_REDIRECT_EXEMPT=production["SECURE_REDIRECT_EXEMPT"],
        SECURE_PROXY_SSL_HEADER=production["SECURE_PROXY_SSL_HEADER"],
    ):
        client = Client()
        # Docker's healthcheck (127.0.0.1:8000) and a proxy's probe (web:8000), plain HTTP.
        for host in ("127.0.0.1:8000", "web:8000", "portal.example.org"):
            response = get_health(client, HTTP_HOST=host)
            assert response.status_code == 200, host
            assert response.json()["status"] == "ok"
        # Every other path still checks the Host and still redirects plain HTTP.
        assert client.get("/login/", HTTP_HOST="web:8000").status_code == 400
        redirect = client.get("/login/", HTTP_HOST="portal.example.org")
        assert redirect.status_code == 301
        assert redirect["Location"] == "https://portal.example.org/login/"
        secure = client.get(
            "/login/", HTTP_HOST="portal.example.org", HTTP_X_FORWARDED_PROTO="https"
        )
        assert secure.status_code == 200


@pytest.mark.django_db
def test_production_probe_still_sees_a_database_failure(production):
    with (
        override_settings(MIDDLEWARE=production["MIDDLEWARE"], SECURE_SSL_REDIRECT=True),
        mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("x")),
    ):
        response = get_health(HTTP_HOST="web:8000")
    assert response.status_code == 503


# --- The deployment files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_web_is_reached_only_through_the_proxy(compose):
    services = compose["services"]
    assert "ports" not in services["web"]
    assert {str(port).split(":")[0] for port in services["proxy"]["ports"]} == {"80", "443"}
    assert "./ops/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"


def test_compose_healthchecks_test_what_they_claim(compose):
    services = compose["services"]
    web = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz/" in web and "== 200" in web and "'ok'" in web
    worker = " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping --destination celery@$$HOSTNAME" in worker
    beat = " ".join(services["beat"]["healthcheck"]["test"])
    assert "inspect ping --destination celerybeat@$$HOSTNAME" in beat
    assert "--enable-remote-control" in services["beat"]["command"]
    for name in ("proxy", "worker", "beat"):
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_caddyfile_upload_limit_matches_the_app():
    caddyfile = (ROOT / "ops" / "Caddyfile").read_text(encoding="utf-8")
    one_mib = 1024 * 1024
    expected = f"{(settings.IMPORT_MAX_UPLOAD_BYTES + one_mib) // one_mib}MiB"
    assert settings.IMPORT_MAX_UPLOAD_BYTES % one_mib == 0
    assert re.search(rf"^\s*max_size {expected}$", caddyfile, re.M)
    assert re.search(rf"^\s*request_buffers {expected}$", caddyfile, re.M)
