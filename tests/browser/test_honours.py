"""A city officer approves an honour candidate in the browser, opens its certificate, and
anyone can verify it."""

import pytest

from honors.models import Award

from .test_dashboards import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.cjk_font, pytest.mark.django_db(transaction=True)]


def test_approve_a_candidate_and_open_its_certificate(page, live_server, world):
    log_in(page, live_server, "city")
    page.goto(f"{live_server.url}/honours/?year=2026")
    page.check(f"input[name=candidate][value='{world.candidate.pk}']")
    page.click("[data-approve]")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{live_server.url}/honours/awards/")
    award = Award.objects.get(candidate=world.candidate)
    row = page.locator(f"[data-certificate='{award.pk}']")
    assert row.count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "honours-awards.png"), full_page=True)
    response = page.request.get(f"{live_server.url}/honours/awards/{award.pk}/certificate.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    # Anyone, logged out, checks the code printed on it.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/verify/")
    page.fill("#id_code", award.code_display.lower())
    page.click("form button.primary")
    assert page.locator("[data-verify=valid]").count() == 1
    assert page.locator("[data-holder]").inner_text() == world.colleague.name
    page.screenshot(path=str(ARTIFACTS / "honours-verify.png"), full_page=True)
