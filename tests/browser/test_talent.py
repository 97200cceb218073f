"""From nomination to title in the browser, and the county's figure moves after the job."""

import pytest

from talent import services
from talent.models import Target

from .test_dashboards import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nomination_to_title_moves_the_county(page, live_server, world):
    from datetime import date

    target = Target.objects.get(region=world.city, name__contains="名教师")
    target.deadline = date(2027, 12, 31)  # a plan still running today
    target.save(update_fields=["deadline"])
    services.attainment_recompute()  # today's snapshot before the recognition
    log_in(page, live_server, "city")
    target_url = f"{live_server.url}/talent/targets/{target.pk}/regions/{world.city.pk}/"
    page.goto(target_url)
    before = int(page.locator(f"[data-part='{world.county.name}']").inner_text())
    achieved_before = int(page.locator("[data-achieved]").inner_text().replace(",", ""))

    page.goto(f"{live_server.url}/talent/programmes/{world.programme.pk}/")
    for step in ("selected", "in_training", "recognised"):
        page.click(f"[data-step={step}]")
        page.wait_for_load_state("networkidle")
    assert page.locator("[data-enrolment-status]").first.inner_text() == "已认定"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "talent-programme.png"), full_page=True)

    page.goto(target_url)  # the recognition queued the recompute after commit
    assert int(page.locator(f"[data-part='{world.county.name}']").inner_text()) == before + 1
    assert int(page.locator("[data-achieved]").inner_text().replace(",", "")) == (
        achieved_before + 1
    )
    page.screenshot(path=str(ARTIFACTS / "talent-target.png"), full_page=True)
