"""Settings, passwords, the admin's scope, translations, demo data and Celery."""

import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from portal.models import Region, School, Teacher, User

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_with_production_settings_is_clean():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" + "7Hq2-xV9pL3zR8sT1wY6nB4mC0dF5gJ2aE7uK9iO3pQ1rS8tU4vW6yZ0",
        "FIELD_ENCRYPTION_KEY": "f" * 48,
        "ID_HASH_KEY": "h" * 48,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr


def test_production_settings_refuse_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY",)}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def _po_entries(path):
    """(msgid, msgstr) of the singular entries of a .po file."""
    import ast

    entries, current, field = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid") and "msgid_plural" not in current:
                msgid = current["msgid"]
                if "msgctxt" in current:
                    msgid = f"{current['msgctxt']}\x04{msgid}"  # how .mo files key contexts
                entries.append((msgid, current.get("msgstr", "")))
            current, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        else:
            field, _space, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
    return entries


def test_compiled_catalogue_matches_the_source():
    folder = ROOT / "locale/zh_Hans/LC_MESSAGES"
    catalogue = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    entries = _po_entries(folder / "django.po")
    assert len(entries) > 100
    stale = [msgid for msgid, msgstr in entries if catalogue.gettext(msgid) != msgstr]
    missing = [msgid for msgid, msgstr in entries if not msgstr]
    assert stale == [], "run `make messages` to recompile the catalogue"
    assert missing == [], "translate these in locale/zh_Hans/LC_MESSAGES/django.po"


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Demo@2026pw", True),
        ("correcthorse9X", True),
        ("short1A", False),  # too short
        ("alllowercaseletters", False),  # one class
        ("lowercase2026", False),  # two classes
        ("Password123", False),  # common
    ],
)
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_admin_lists_obey_scope(client, world):
    world.users["county"].is_staff = True
    world.users["county"].save()
    from django.contrib.auth.models import Permission

    world.users["county"].user_permissions.set(
        Permission.objects.filter(codename__in=["view_teacher", "view_school"])
    )
    client.force_login(world.users["county"])
    response = client.get("/admin/portal/teacher/")
    assert response.status_code == 200
    shown = {t.pk for t in response.context["cl"].result_list}
    assert shown == {world.teacher.pk, world.colleague.pk, world.sibling_teacher.pk}
    far = client.get(f"/admin/portal/teacher/{world.far_teacher.pk}/change/")
    assert far.status_code == 302  # the admin redirects a missing object to its list
    assert client.get("/admin/portal/user/").status_code == 403


def test_seed_demo_is_deterministic_and_has_every_role(db):
    call_command("seed_demo", "--seed", "7", "--teachers", "120", verbosity=0)
    first = sorted(Teacher.objects.values_list("id_number_hash", "name"))
    assert Region.objects.filter(level="county").count() == 12
    assert set(Region.objects.filter(level="county").values_list("code", flat=True)) >= {
        "330302",
        "330303",
        "330304",
        "330305",
        "330324",
        "330326",
        "330327",
        "330328",
        "330329",
        "330381",
        "330382",
        "330383",
    }
    assert School.objects.count() == 96
    roles = set(User.objects.values_list("role", flat=True))
    assert roles >= {"province_staff", "city_staff", "county_staff", "school_admin", "teacher"}
    call_command("seed_demo", "--seed", "7", "--teachers", "120", "--reset", verbosity=0)
    assert sorted(Teacher.objects.values_list("id_number_hash", "name")) == first


def test_celery_task_runs_eagerly_in_tests(world):
    from portal.tasks import purge_expired_tokens

    assert purge_expired_tokens.delay().get() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_celery_task_runs_on_a_real_redis_worker(world, settings):
    from datetime import timedelta

    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    from portal.api.authentication import token_issue
    from portal.celery import app
    from portal.models import ApiToken
    from portal.tasks import purge_expired_tokens

    token_issue(user=world.users["city"])
    old = ApiToken.objects.get(user=world.users["city"])
    ApiToken.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=365))
    app.conf.update(
        task_always_eager=False,
        broker_url=os.environ["REDIS_URL"],
        result_backend=os.environ["REDIS_URL"],
    )
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            assert purge_expired_tokens.delay().get(timeout=30) == 1
    finally:
        app.conf.update(task_always_eager=True)
    assert not ApiToken.objects.filter(pk=old.pk).exists()


def test_openapi_schema_is_valid_and_warning_free():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            os.devnull,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_server_error_is_clear_for_people_and_for_api_clients(world, monkeypatch):
    import json

    from django.test import Client, RequestFactory

    from portal.views import server_error

    def broken(*args, **kwargs):
        raise RuntimeError("a lost connection")

    monkeypatch.setattr("portal.views.selectors.home_region", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["city"])
    response = client.get("/")
    assert response.status_code == 500 and b"data-server-error" in response.content
    api = server_error(RequestFactory().get("/api/v1/teachers/"))
    assert api.status_code == 500 and "detail" in json.loads(api.content)
