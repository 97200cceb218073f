"""Each role logs in through the real log-in page in headless Chromium and sees its own
dashboard, and nothing of anyone else's."""

from pathlib import Path

import pytest

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click(".login button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(
    ("role", "heading", "sees", "does_not_see"),
    [
        ("province", "浙江省", ["温州市", "杭州市"], []),
        ("city", "温州市", ["鹿城区", "龙湾区"], ["杭州市", "西湖区"]),
        ("county", "鹿城区", ["鹿城区第一小学", "鹿城区第二小学"], ["龙湾区第一小学"]),
        ("school", "鹿城区第一小学", ["林晓", "陈明"], ["王芳"]),
        ("teacher", "林晓", ["鹿城区第一小学", "任职经历"], ["陈明"]),
    ],
)
def test_each_role_sees_its_dashboard(page, live_server, world, role, heading, sees, does_not_see):
    log_in(page, live_server, world.users[role].username)
    assert page.locator("h1").first.inner_text().startswith(heading)
    body = page.locator("main").inner_text()
    for text in sees:
        assert text in body, text
    for text in does_not_see:
        assert text not in body, text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{role}.png"), full_page=True)


def test_drill_down_from_city_to_teacher_and_reveal(page, live_server, world):
    log_in(page, live_server, "city")
    page.click("text=鹿城区")
    page.click("text=鹿城区第一小学")
    page.click("text=林晓")
    id_cell = page.locator("[data-id-number]")
    assert "********" in id_cell.inner_text()
    page.click("text=显示完整号码")
    assert page.locator("[data-id-number]").inner_text() == world.teacher.reveal_id_number()


def test_phone_layout_has_a_menu(browser, live_server, world):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, "county")
    assert not page.locator(".mainnav").is_visible()
    page.click(".nav-toggle-label")
    assert page.locator(".mainnav").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-county-phone.png"), full_page=True)
    context.close()
