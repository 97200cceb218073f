"""The REST API: scope on lists, masked ID numbers, filters, tokens, pinned query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .. import factories


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


def test_filter_by_id_number_normalises_and_validates(api, world):
    api.force_authenticate(world.users["city"])
    clear = world.teacher.reveal_id_number()
    full_width = clear.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    response = api.get("/api/v1/teachers/", {"id_number": f" {full_width} "})
    assert ids(response) == {world.teacher.pk}
    bad = api.get(
        "/api/v1/teachers/", {"id_number": "1.1010519491231e+17"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert bad.status_code == 400
    assert "科学计数法" in bad.content.decode()
    # A teacher outside the scope is not found by its number either.
    far = world.far_teacher.reveal_id_number()
    assert ids(api.get("/api/v1/teachers/", {"id_number": far})) == set()


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
        factories.teacher(world.school, name=f"新教师{n}")
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


def test_token_login_use_and_revoke(world):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "county", "password": factories.PASSWORD}
    )
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["username"] == "county"
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_wrong_password_gets_no_token(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "county", "password": "x"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_expired_token_is_refused(world, settings):
    token = Token.objects.create(user=world.users["city"])
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL_SECONDS + 1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(pk=token.pk).exists()


def test_deactivated_user_loses_token_and_session(world, client):
    user = world.users["school"]
    token = Token.objects.create(user=user)
    client.force_login(user)
    user.is_active = False
    user.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code == 401
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
