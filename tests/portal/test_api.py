"""The REST API: scope on lists, masked ID numbers, filters, tokens, pinned query counts,
no caching, bodies it refuses to parse, and who may read its schema."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal.api.authentication import purge_expired_tokens, token_issue
from portal.models import ApiToken

from .. import factories
from .test_permissions import API, NEEDS_FONT


@pytest.fixture
def api():
    return APIClient()


def ids(response):
    return {item["id"] for item in response.json()["results"]}


def test_lists_contain_only_the_scope(api, world):
    expectations = {
        "province": {
            world.teacher,
            world.colleague,
            world.sibling_teacher,
            world.neighbour_teacher,
            world.far_teacher,
        },
        "city": {world.teacher, world.colleague, world.sibling_teacher, world.neighbour_teacher},
        "county": {world.teacher, world.colleague, world.sibling_teacher},
        "school": {world.teacher, world.colleague},
        "teacher": {world.teacher},
    }
    for role, teachers in expectations.items():
        api.force_authenticate(world.users[role])
        assert ids(api.get("/api/v1/teachers/")) == {t.pk for t in teachers}, role
    api.force_authenticate(world.users["county"])
    assert ids(api.get("/api/v1/regions/")) == {world.county.pk}
    assert ids(api.get("/api/v1/schools/")) == {world.school.pk, world.sibling_school.pk}
    api.force_authenticate(world.users["teacher"])
    assert ids(api.get("/api/v1/regions/")) == set()


def test_id_numbers_are_masked_in_the_api(api, world):
    api.force_authenticate(world.users["province"])
    body = api.get(f"/api/v1/teachers/{world.teacher.pk}/").content.decode()
    clear = world.teacher.reveal_id_number()
    assert clear not in body
    assert world.teacher.id_number_masked in body


def test_search_by_id_number_normalises_and_validates(api, world):
    api.force_authenticate(world.users["city"])
    clear = world.teacher.reveal_id_number()
    full_width = clear.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    response = api.post("/api/v1/teachers/search/", {"id_number": f" {full_width} "}, format="json")
    assert [t["id"] for t in response.json()] == [world.teacher.pk]
    bad = api.post(
        "/api/v1/teachers/search/",
        {"id_number": "1.1010519491231e+17"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert "科学计数法" in bad.content.decode()
    # A teacher outside the scope is not found by its number either.
    far = world.far_teacher.reveal_id_number()
    found = api.post("/api/v1/teachers/search/", {"id_number": far}, format="json")
    assert found.json() == []


def test_an_id_number_in_the_query_string_is_refused(api, world):
    api.force_authenticate(world.users["city"])
    clear = world.teacher.reveal_id_number()
    for value in [clear, "%s", "%25s", "x"]:
        response = api.get("/api/v1/teachers/", {"id_number": value})
        assert response.status_code == 400
        body = response.json()
        assert "/api/v1/teachers/search/" in (body.get("detail") or body["id_number"][0])


def test_region_filter_takes_a_subtree(api, world):
    api.force_authenticate(world.users["province"])
    response = api.get("/api/v1/teachers/", {"region": world.city.pk})
    assert world.far_teacher.pk not in ids(response)
    assert world.neighbour_teacher.pk in ids(response)


def test_teacher_detail_has_service_history_and_years(api, world):
    api.force_authenticate(world.users["school"])
    data = api.get(f"/api/v1/teachers/{world.teacher.pk}/").json()
    assert data["service_periods"][0]["school"] == world.school.pk
    assert data["service_years"]["completed_teaching_years"] >= 15
    assert data["ethics_veto_in_force"] is False


def test_me_describes_the_user(api, world):
    api.force_authenticate(world.users["teacher"])
    data = api.get("/api/v1/me/").json()
    assert data["role"] == "teacher"
    assert data["teacher"]["id"] == world.teacher.pk


def test_teacher_list_query_count_does_not_grow_with_rows(api, world):
    api.force_authenticate(world.users["province"])
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/teachers/")
    for n in range(20):
        factories.teacher(world.school, name=factories.person_name(n, "新教师"))
    with CaptureQueriesContext(connection) as large:
        response = api.get("/api/v1/teachers/")
    assert len(response.json()["results"]) == 25
    assert len(large) == len(small) <= 4


def test_school_and_region_lists_query_counts(api, world):
    api.force_authenticate(world.users["province"])
    for url in ("/api/v1/schools/", "/api/v1/regions/"):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        assert len(queries) <= 4, url


def token_log_in(username, password=factories.PASSWORD):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_login_use_and_revoke(world):
    client = with_token(token_log_in("county"))
    assert client.get("/api/v1/me/").json()["username"] == "county"
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_wrong_password_gets_no_token(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "county", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_each_log_in_issues_a_new_token_and_delete_revokes_only_its_own(world):
    """Two clients of one account (a script and a colleague's tool) each get their own
    token; logging one out leaves the other working."""
    first, second = token_log_in("county"), token_log_in("county")
    assert first != second
    assert with_token(first).get("/api/v1/me/").status_code == 200
    assert with_token(second).delete("/api/v1/auth/token/").status_code == 204
    assert with_token(second).get("/api/v1/me/").status_code == 401
    assert with_token(first).get("/api/v1/me/").status_code == 200


def test_a_session_delete_revokes_every_token_of_the_user(world, client):
    key = token_log_in("county")
    client.force_login(world.users["county"])
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_tokens_are_stored_only_as_hashes(world):
    key = token_log_in("county")
    stored = ApiToken.objects.get(user=world.users["county"])
    assert key not in {str(value) for value in vars(stored).values()}


def test_a_user_keeps_a_bounded_number_of_tokens(world):
    from portal.api.authentication import TOKENS_PER_USER

    first = token_issue(user=world.users["county"])
    for _ in range(TOKENS_PER_USER):
        token_issue(user=world.users["county"])
    assert ApiToken.objects.filter(user=world.users["county"]).count() == TOKENS_PER_USER
    assert with_token(first).get("/api/v1/me/").status_code == 401  # the oldest went


NEW_PASSWORD = "Wenzhou@2026-changed"


def change_by_service(world, client, monkeypatch):
    user = world.users["county"]
    user.set_password(NEW_PASSWORD)
    user.save(update_fields=["password"])


def change_in_the_admin(world, client, monkeypatch):
    """The superuser sets the account's password in the admin."""
    client.force_login(world.users["superuser"])
    response = client.post(
        reverse("admin:auth_user_password_change", args=[world.users["county"].pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:2000]


def change_on_the_password_change_page(world, client, monkeypatch):
    """The user changes their own password (Django's PasswordChangeView)."""
    user = world.users["county"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content[:2000]


def change_by_the_command(world, client, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda *args, **kwargs: NEW_PASSWORD)
    call_command("changepassword", "county")


@pytest.mark.parametrize(
    "change",
    [
        change_by_service,
        change_in_the_admin,
        change_on_the_password_change_page,
        change_by_the_command,
    ],
)
def test_a_password_change_revokes_the_users_tokens(world, client, monkeypatch, change):
    """Whichever way the password changes, every token issued under the old one stops (its
    fingerprint of the password hash no longer matches), and other users' do not."""
    old = token_log_in("county")
    other = token_log_in("city")
    change(world, client, monkeypatch)
    assert with_token(old).get("/api/v1/me/").status_code == 401
    assert with_token(other).get("/api/v1/me/").status_code == 200
    fresh = token_log_in("county", NEW_PASSWORD)
    assert with_token(fresh).get("/api/v1/me/").status_code == 200


def test_expired_token_is_refused(world, settings):
    key = token_issue(user=world.users["city"])
    ApiToken.objects.update(
        created=timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS + 1)
    )
    assert with_token(key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.exists()


def test_a_token_unused_for_the_idle_limit_is_refused(world, settings):
    key = token_issue(user=world.users["city"])
    client = with_token(key)
    ApiToken.objects.update(
        last_used=timezone.now() - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS - 120)
    )
    assert client.get("/api/v1/me/").status_code == 200  # in use: the idle clock restarts
    ApiToken.objects.update(
        last_used=timezone.now() - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS + 1)
    )
    assert client.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.exists()


def test_the_last_use_is_written_at_most_once_a_minute(world):
    client = with_token(token_issue(user=world.users["city"]))

    def writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/me/").status_code == 200
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]

    assert writes() == []  # issued a moment ago
    ApiToken.objects.update(last_used=timezone.now() - timedelta(seconds=61))
    assert len(writes()) == 1
    assert writes() == []
    assert ApiToken.objects.get().last_used > timezone.now() - timedelta(seconds=10)


def test_purge_removes_expired_and_idle_tokens(world, settings):
    now = timezone.now()
    token_issue(user=world.users["city"])
    token_issue(user=world.users["county"])
    token_issue(user=world.users["school"])
    ApiToken.objects.filter(user=world.users["county"]).update(
        created=now - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS + 1)
    )
    ApiToken.objects.filter(user=world.users["school"]).update(
        last_used=now - timedelta(seconds=settings.API_TOKEN_IDLE_SECONDS + 1)
    )
    assert purge_expired_tokens() == 2
    assert list(ApiToken.objects.values_list("user__username", flat=True)) == ["city"]


def test_deactivated_user_loses_token_and_session(world, client):
    user = world.users["school"]
    key = token_issue(user=user)
    client.force_login(user)
    user.is_active = False
    user.save()
    assert with_token(key).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302  # back to the log-in page


def test_schema_and_docs_are_served_offline(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/v1/teachers/", "/api/v1/schools/", "/api/v1/regions/", "/api/v1/me/"):
        assert path in text
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "swagger-ui" in docs


def test_what_the_fuzzer_found_is_a_clear_4xx_not_a_500(world):
    """Cases schemathesis found against the OpenAPI schema (each was a 500)."""
    from rest_framework.test import APIClient

    anonymous = APIClient()
    for body in ({"username": "city", "password": 123}, {"username": ["x"], "password": {}}):
        assert anonymous.post("/api/v1/auth/token/", body, format="json").status_code == 400
    api = APIClient()
    api.force_authenticate(world.users["city"])
    assert api.get("/api/v1/imports/null,null/error-workbook/").status_code == 404
    assert api.get("/api/v1/teachers/abc/").status_code == 404
    huge = api.post(
        "/api/v1/honour-candidates/review/",
        {"candidates": [2**70], "decision": "approve"},
        format="json",
    )
    assert huge.status_code == 400


def test_a_request_with_too_many_fields_is_a_json_400(world, client):
    """Found by schemathesis: a form with more fields than Django reads
    (DATA_UPLOAD_MAX_NUMBER_FIELDS) was answered with Django's HTML page, not JSON."""
    from django.conf import settings
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.users["city"])
    fields = {"candidates": [str(i) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5)]}
    response = api.post("/api/v1/honour-candidates/review/", {**fields, "decision": "approve"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    # People get the page in Chinese; the same for a missing page.
    page = client.post(reverse("login"), fields)
    assert page.status_code == 400 and "无法读取" in page.content.decode()
    client.force_login(world.users["city"])
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "不存在" in missing.content.decode()


def test_a_form_without_its_csrf_token_is_refused_in_words(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["county"])
    response = client.post(reverse("teacher_reveal", args=[world.teacher.pk]))
    assert response.status_code == 403
    assert "重新加载" in response.content.decode()


def test_the_schema_is_generated_once_however_many_ask_at_once(live_server, monkeypatch):
    """drf-spectacular's generator is not thread-safe (a threaded server gave a 500 to one of
    five clients asking at once): the schema view generates under a lock, once, and serves
    the result from memory."""
    import json
    import threading
    import time
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from portal.api.schema import SchemaView

    SchemaView._schemas.clear()
    generate = SchemaView.generator_class.get_schema
    calls = []

    def slow_generate(self, *args, **kwargs):
        calls.append(threading.get_ident())
        time.sleep(0.2)  # wide open to a second thread, were there no lock
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaView.generator_class, "get_schema", slow_generate)

    def fetch(_):
        url = f"{live_server.url}/api/schema/?format=json"
        with urllib.request.urlopen(url) as response:  # noqa: S310 - the test server, http
            return response.status, json.load(response)["paths"].keys()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch, range(16)))
    assert {status for status, _paths in results} == {200}
    assert all("/api/v1/teachers/" in paths for _status, paths in results)
    assert len(calls) == 1


# Every API route (the rows of the permission table, the token door and the API root), asked
# with a token: whatever the status, the answer is never stored by a browser or a proxy.
_seen = set()
NO_STORE_CASES = [
    pytest.param(
        method,
        name,
        target,
        id=f"{method}-{name}-{target}",
        marks=[pytest.mark.cjk_font] if name in NEEDS_FONT and statuses["city"] == 200 else [],
    )
    for method, name, target, statuses in [
        *API,
        ("post", "api-token", None, {"city": 400}),
        ("get", "api-root", None, {"city": 200}),
    ]
    if reverse(name, args=[1] * (target.count(",") + 1) if target else []).startswith("/api/")
    and (method, name, target) not in _seen
    and not _seen.add((method, name, target))
]


@pytest.mark.parametrize(("method", "name", "target"), NO_STORE_CASES)
def test_every_api_answer_is_no_store(world, method, name, target):
    args = [getattr(world, part).pk for part in target.split(",")] if target else []
    client = with_token(token_issue(user=world.users["city"]))
    response = getattr(client, method)(reverse(name, args=args))
    assert response["Cache-Control"] == "no-store", (response.status_code, name)


def test_the_token_answers_are_no_store(world):
    """The token door answers anonymous requests, with a token in the body."""
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "county", "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert APIClient().get("/api/v1/me/")["Cache-Control"] == "no-store"


DEEP = "[" * 100_000 + "]" * 100_000


def test_deeply_nested_json_is_a_400_not_a_500(world):
    """A body of 100,000 nested brackets made the JSON decoder recurse until Python gave up
    (RecursionError, a 500); a body nested deeper than any real request is refused too."""
    anonymous = APIClient()
    response = anonymous.generic("POST", "/api/v1/auth/token/", DEEP, "application/json")
    assert response.status_code == 400 and "detail" in response.json()
    api = with_token(token_issue(user=world.users["city"]))
    moderate = '{"candidates": ' + "[" * 200 + "]" * 200 + ', "decision": "approve"}'
    for body in (DEEP, moderate):
        for url in (reverse("candidate-review"), reverse("trainingrecord-list")):
            response = api.generic("POST", url, body, "application/json")
            assert response.status_code == 400, url
            assert response["Content-Type"] == "application/json"
            assert "detail" in response.json()


def test_every_api_view_reads_json_with_the_guarded_parser():
    """A view that names its own parsers must name the guarded JSON parser (a plain DRF one
    gives the 500 back)."""
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser as DRFJSONParser

    from portal.api.parsers import JSONParser

    unguarded = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, route)
                continue
            view = getattr(pattern.callback, "cls", None)
            if not route.startswith("api/") or view is None:
                continue
            for parser in view.parser_classes:
                if issubclass(parser, DRFJSONParser) and not issubclass(parser, JSONParser):
                    unguarded.add(f"{view.__module__}.{view.__name__}")

    walk(get_resolver().url_patterns)
    assert unguarded == set()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_json_body_over_the_upload_limit_is_refused(world):
    body = {"username": "county", "password": factories.PASSWORD, "padding": "x" * 2000}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400 and "token" not in response.json()


@override_settings(API_DOCS_PUBLIC=False)
def test_in_production_the_schema_and_docs_need_a_signed_in_user(client, world):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith(reverse("login"))
    teacher = with_token(token_issue(user=world.users["teacher"]))
    assert teacher.get("/api/schema/").status_code == 200
    client.force_login(world.users["teacher"])
    assert client.get("/api/docs/").status_code == 200
    assert "/api/v1/teachers/" in client.get("/api/schema/").content.decode()


def test_the_production_settings_close_the_schema_and_docs():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 60,
        "FIELD_ENCRYPTION_KEY": "f" * 48,
        "ID_HASH_KEY": "h" * 48,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.API_DOCS_PUBLIC)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_teachers_see_no_api_link_in_the_menu(client, world):
    docs = reverse("api-docs")
    client.force_login(world.users["teacher"])
    assert f'href="{docs}"' not in client.get(reverse("my_record")).content.decode()
    client.force_login(world.users["county"])
    assert f'href="{docs}"' in client.get(reverse("dashboard")).content.decode()
