"""Malformed input is a 4xx at every door, never a 500: every operation of the OpenAPI
schema, with each of its query parameters set to what broke it before (``%s``, ``%``, NUL,
a huge number, a thousand characters), and bodies that are deeply nested, of the wrong
shape, not JSON, not UTF-8. Schemathesis adds random malformed cases in ``make soak``."""

import json

import pytest
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

BAD_VALUES = ["%s", "%", "\x00", "9" * 40, "x" * 1000, "１２"]
DEEP = "[" * 100_000 + "]" * 100_000
BAD_BODIES = [
    (DEEP, "application/json"),
    ('{"a": ' * 5000 + "1" + "}" * 5000, "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('"text"', "application/json"),
    ("null", "application/json"),
    ('{"id_number": {"$gt": ""}, "username": ["a"], "password": 1}', "application/json"),
    ("{not json", "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
    ("a=1&b=2", "application/x-www-form-urlencoded"),
    ("<xml/>", "application/xml"),
]


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            yield path, method, params


@pytest.fixture(autouse=True)
def _no_throttle(monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    cache.clear()


def _url(path, world):
    return path.replace("{id}", str(world.teacher.pk)).replace("{code}", "ABCDEF123456")


def _send(api, method, url, **kwargs):
    return getattr(api, method)(url, **kwargs)


@pytest.mark.parametrize("role", ["county", "teacher", None])
def test_no_operation_answers_500_to_malformed_input(world, role):
    api = APIClient(raise_request_exception=False)
    if role:
        api.force_authenticate(world.users[role])
    failures = []
    for path, method, params in _operations():
        url = _url(path, world)
        if "{" in url:
            url = url.split("{")[0] + "1/" + url.split("}", 1)[1].lstrip("/")
        for name in params:
            for value in BAD_VALUES:
                response = _send(
                    api,
                    method,
                    url,
                    data={name: value} if method == "get" else None,
                    **({} if method == "get" else {"QUERY_STRING": f"{name}=x"}),
                )
                if response.status_code >= 500:
                    failures.append((method, url, name, value, response.status_code))
        if method in ("post", "put", "patch"):
            for body, content_type in BAD_BODIES:
                response = api.generic(method.upper(), url, body, content_type)
                if response.status_code >= 500:
                    failures.append((method, url, "body", str(body)[:40], response.status_code))
                elif content_type == "application/json" and response.status_code >= 400:
                    json.loads(response.content)  # errors stay JSON
    assert failures == []


def test_bad_path_values_are_404_not_500(world):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(world.users["city"])
    for path, _method, _params in _operations():
        if "{id}" not in path:
            continue
        for value in ["99999999999999999999999", "0", "-1", "%25s", "1.5"]:
            response = api.get(path.replace("{id}", value))
            assert response.status_code < 500, (path, value)


@pytest.mark.parametrize("value", ["²", "1.5", "9" * 5000, " ", "-1", "１２"])
def test_ids_and_years_typed_in_pages_are_never_a_500(client, world, value):
    """``"²".isdigit()`` is true and ``int("²")`` raises: every page that reads a number
    from a query string or a form reads it through ``rules.small_int``."""
    from django.urls import reverse

    client.force_login(world.users["city"])
    pages = [
        (client.get, reverse("honours_candidates"), {"year": value, "honour": value}),
        (client.post, reverse("honours_candidates"), {"candidate": value, "decision": "approve"}),
        (client.get, reverse("pay_region", args=[world.county.pk]), {"year": value}),
        (client.post, reverse("training_review"), {"record": value, "decision": "approve"}),
    ]
    for send, url, data in pages:
        response = send(url, data)
        assert response.status_code < 500, (url, value)


def test_small_int():
    from portal.rules import small_int

    assert small_int("42") == 42
    assert small_int(" 7 ") == 7
    for bad in ["²", "1.5", "9" * 19, "", None, "-1", "１２", "1e3"]:
        assert small_int(bad) is None
