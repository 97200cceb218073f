"""A teacher reports a training with its certificate, the school approves it, and the
teacher's progress bar moves — in headless Chromium."""

import pytest

from .test_dashboards import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def credited(page) -> float:
    return float(page.locator("[data-credited]").inner_text())


def test_self_report_approve_and_progress_moves(browser, live_server, world, tmp_path):
    certificate = tmp_path / "证书.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% demo certificate\n")

    teacher = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = teacher.new_page()
    log_in(page, live_server, "teacher")
    page.click("text=我的学时")
    before = credited(page)
    page.fill("#id_description", "区级读书分享会")
    page.fill("#id_hours", "6")
    page.fill("#id_completed_on", "2026-10-20")
    page.select_option("#id_level", "county")
    page.select_option("#id_category", "subject")
    page.set_input_files("#id_evidence", str(certificate))
    page.click("[data-submit-record]")
    page.wait_for_selector("text=区级读书分享会")
    assert credited(page) == before  # pending: not counted yet
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "training-pending.png"), full_page=True)

    school = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    reviewer = school.new_page()
    log_in(reviewer, live_server, "school")
    reviewer.click("text=学时审核")
    reviewer.check("input[name=record]")
    reviewer.click("[data-approve]")
    reviewer.wait_for_selector(".messages")
    reviewer.screenshot(path=str(ARTIFACTS / "training-review.png"), full_page=True)
    school.close()

    page.reload()
    assert credited(page) == before + 6
    page.screenshot(path=str(ARTIFACTS / "training-approved.png"), full_page=True)
    teacher.close()
