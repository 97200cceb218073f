"""Log-in under attack: lockout per account and per address that a forged X-Forwarded-For
cannot reset, the API token door locked the same way, a deactivated user cut off at once,
and a Content-Security-Policy with no inline script anywhere."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from .. import factories

PASSWORD = factories.PASSWORD


def log_in(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def test_an_account_locks_after_five_failures_from_anywhere(client, world):
    for n in range(5):
        log_in(client, "county", "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    locked = log_in(client, "county", PASSWORD, REMOTE_ADDR="10.0.9.9")
    assert locked.status_code == 429
    assert "data-locked-out" in locked.content.decode() and "15" in locked.content.decode()
    # Another account from another address is not affected.
    assert log_in(client, "city", PASSWORD, REMOTE_ADDR="10.0.8.8").status_code == 302


def test_an_address_locks_after_five_failures_on_any_accounts(client, world):
    for name in ("a", "b", "c", "d", "e"):
        log_in(client, name, "wrong", REMOTE_ADDR="192.0.2.7")
    assert log_in(client, "city", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert log_in(client, "city", PASSWORD, REMOTE_ADDR="192.0.2.8").status_code == 302


def test_a_forged_forwarded_for_neither_resets_nor_dodges_the_lock(client, world):
    for n in range(5):
        log_in(
            client,
            f"user{n}",
            "wrong",
            REMOTE_ADDR="198.51.100.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    locked = log_in(
        client, "city", PASSWORD, REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert locked.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_only_the_address_it_appended_counts(client, world):
    proxy = "172.18.0.2"
    for n in range(5):
        # The client forges the left part; the proxy appends the real address.
        log_in(
            client,
            f"user{n}",
            "wrong",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"8.8.{n}.8, 203.0.113.5",
        )
    assert (
        log_in(
            client,
            "city",
            PASSWORD,
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5",
        ).status_code
        == 429
    )
    # Another client behind the same proxy still gets in.
    ok = log_in(client, "city", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert ok.status_code == 302


def test_the_api_token_door_locks_too(world):
    api = APIClient()
    for _ in range(5):
        refused = api.post(
            "/api/v1/auth/token/",
            {"username": "province", "password": "nope"},
            REMOTE_ADDR="10.1.1.1",
        )
        assert refused.status_code in (400, 429)
    locked = api.post(
        "/api/v1/auth/token/",
        {"username": "province", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.2",
    )
    assert locked.status_code == 429 and "detail" in locked.json()


def test_a_deactivated_user_is_cut_off_at_once(client, world):
    user = world.users["county"]
    assert log_in(client, "county", PASSWORD).status_code == 302
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"username": "county", "password": PASSWORD}).json()[
        "token"
    ]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("dashboard")).status_code == 302  # back to the log-in page
    assert api.get("/api/v1/me/").status_code == 401


PAGES = [
    "dashboard",
    "teacher_list",
    "import_list",
    "talent_programmes",
    "honours_candidates",
    "training_review",
    "api-docs",
    "login",
    "honours_verify_form",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_carry_a_csp_and_no_inline_script(client, world, name):
    if name not in ("login", "honours_verify_form"):
        client.force_login(world.users["city"])
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", body), "inline event handler"
