"""Log-in under attack: lockout per account, and per address only far above a person's rate
(so that a third party cannot lock out an office behind one address), which a forged
X-Forwarded-For cannot reset; the API token door locked the same way and taking JSON only
(no cross-site form can reach it), the log-in page behind its CSRF token, a deactivated user
cut off at once, and a Content-Security-Policy with no inline script anywhere."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from .. import factories

PASSWORD = factories.PASSWORD


def log_in(client, username, password, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def token_log_in(username, password, **headers):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        **headers,
    )


def test_an_account_locks_after_five_failures_from_anywhere(client, world):
    for n in range(5):
        log_in(client, "county", "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    locked = log_in(client, "county", PASSWORD, REMOTE_ADDR="10.0.9.9")
    assert locked.status_code == 429
    assert "data-locked-out" in locked.content.decode() and "15" in locked.content.decode()
    # Another account from another address is not affected.
    assert log_in(client, "city", PASSWORD, REMOTE_ADDR="10.0.8.8").status_code == 302


@pytest.mark.parametrize("door", ["page", "token"])
def test_failures_on_one_account_do_not_lock_the_others_at_that_address(client, world, door):
    """Five wrong passwords for one account (a colleague's typos, or a hostile page making
    the office's browsers post) lock that account only, not the office's shared address."""
    for _ in range(5):
        if door == "page":
            log_in(client, "county", "wrong", REMOTE_ADDR="192.0.2.7")
        else:
            token_log_in("county", "wrong", REMOTE_ADDR="192.0.2.7")
    assert log_in(Client(), "city", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302
    assert token_log_in("school", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert log_in(Client(), "county", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert token_log_in("county", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429


def test_an_address_is_not_locked_at_a_persons_rate(client, world):
    """Twenty failures on twenty accounts from one address (an office behind one NAT on a
    Monday morning) lock none of the others there."""
    for n in range(20):
        log_in(client, f"someone{n}", "wrong", REMOTE_ADDR="192.0.2.9")
    assert log_in(client, "city", PASSWORD, REMOTE_ADDR="192.0.2.9").status_code == 302


@override_settings(LOCKOUT_IP_FAILURE_LIMIT=8)
@pytest.mark.parametrize("door", ["page", "token"])
def test_an_address_locks_far_above_a_persons_rate(client, world, door):
    """Guessing across many accounts from one address still locks the address, at the
    separate, much higher LOCKOUT_IP_FAILURE_LIMIT, for every account."""
    for n in range(7):
        log_in(client, f"someone{n}", "wrong", REMOTE_ADDR="192.0.2.7")
    assert log_in(Client(), "city", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 302
    if door == "page":
        last = log_in(client, "someone7", "wrong", REMOTE_ADDR="192.0.2.7")
    else:
        last = token_log_in("someone7", "wrong", REMOTE_ADDR="192.0.2.7")
    assert last.status_code == 429  # the failure that reaches the limit says so
    assert log_in(Client(), "county", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert token_log_in("county", PASSWORD, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert log_in(Client(), "county", PASSWORD, REMOTE_ADDR="192.0.2.8").status_code == 302


def test_a_forged_forwarded_for_does_not_dodge_an_accounts_lock(client, world):
    for n in range(5):
        token_log_in(
            "county",
            "wrong",
            REMOTE_ADDR=f"198.51.100.{n}",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    locked = log_in(
        client, "county", PASSWORD, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert locked.status_code == 429
    assert token_log_in("county", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.8").status_code == 429


@override_settings(LOCKOUT_IP_FAILURE_LIMIT=5)
def test_a_forged_forwarded_for_neither_resets_nor_dodges_an_address_lock(client, world):
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


@override_settings(TRUSTED_PROXY_COUNT=1, LOCKOUT_IP_FAILURE_LIMIT=5)
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
    for _ in range(5):
        refused = token_log_in("province", "nope", REMOTE_ADDR="10.1.1.1")
        assert refused.status_code in (400, 429)
    locked = token_log_in("province", PASSWORD, REMOTE_ADDR="10.1.1.2")
    assert locked.status_code == 429 and "detail" in locked.json()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "username=county&password=wrong"),
        ("multipart/form-data; boundary=BoUnDaRy", None),
        ("text/plain", '{"username": "county", "password": "wrong"}'),
    ],
)
def test_the_token_door_takes_json_only(world, content_type, body):
    """A page on any site can make a browser post a form (or text/plain) cross-origin without
    a CSRF token, but not JSON: the token door answers such posts 415, before any password
    is checked, so they count as no failed log-in."""
    if body is None:
        body = (
            "--BoUnDaRy\r\n"
            'Content-Disposition: form-data; name="username"\r\n\r\ncounty\r\n'
            "--BoUnDaRy\r\n"
            'Content-Disposition: form-data; name="password"\r\n\r\nwrong\r\n'
            "--BoUnDaRy--\r\n"
        )
    api = APIClient()
    for _ in range(6):
        response = api.generic(
            "POST", "/api/v1/auth/token/", body, content_type=content_type, REMOTE_ADDR="10.2.2.2"
        )
        assert response.status_code == 415
        assert "detail" in response.json()
    assert not AccessAttempt.objects.exists()
    assert token_log_in("county", PASSWORD, REMOTE_ADDR="10.2.2.2").status_code == 200


def test_the_log_in_page_needs_its_csrf_token(world):
    """The page log-in is a form: without the CSRF token of the portal's own page it is
    refused before any password is checked, so another site cannot make it count failures."""
    browser = Client(enforce_csrf_checks=True)
    for _ in range(6):
        refused = log_in(browser, "county", "wrong", REMOTE_ADDR="10.3.3.3")
        assert refused.status_code == 403
    assert not AccessAttempt.objects.exists()
    browser.get(reverse("login"))
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        reverse("login"),
        {"username": "county", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        REMOTE_ADDR="10.3.3.3",
    )
    assert response.status_code == 302


def test_a_deactivated_user_is_cut_off_at_once(client, world):
    user = world.users["county"]
    assert log_in(client, "county", PASSWORD).status_code == 302
    api = APIClient()
    token = token_log_in("county", PASSWORD).json()["token"]
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


def test_an_id_number_typed_as_a_username_is_masked_in_the_lockout_table(client, world):
    """Attack round 3: the lockout table kept failed usernames in clear."""
    from axes.models import AccessAttempt

    number = world.teacher.reveal_id_number()
    client.post("/login/", {"username": number, "password": "wrong-password-1"})
    usernames = list(AccessAttempt.objects.values_list("username", flat=True))
    assert usernames and all(number not in (name or "") for name in usernames)
    assert any(name and name.startswith(number[:6]) for name in usernames)
