"""Pay parity on the tests' world: reports and adjustments through the pages, the API and
an imported workbook; the checks derived and rolled up; the export; every change audited."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from compensation import selectors, services
from compensation.models import ParityRule, PayAdjustment, PayReport
from portal.imports import services as imports
from portal.models import AuditEvent


@pytest.fixture(autouse=True)
def run_tasks_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture(autouse=True)
def no_pay_yet(world):
    """These tests write their own figures (the world has some for the permission table)."""
    PayAdjustment.objects.all().delete()
    PayReport.objects.all().delete()


def report(county, teachers, civil, kindergarten=None, wage=None, year=2025, actor=None):
    return services.pay_report_save(
        county=county,
        year=year,
        values={
            "teacher_pay": Decimal(teachers),
            "civil_servant_pay": Decimal(civil),
            "kindergarten_income": None if kindergarten is None else Decimal(kindergarten),
            "last_year_wage": None if wage is None else Decimal(wage),
        },
        actor=actor,
    )[0]


def adjust(county, group, on, amount):
    return services.adjustment_create(
        county=county, actor=None, group=group, effective_on=on, amount=Decimal(amount)
    )


def test_checks_are_derived_and_roll_up(world):
    report(world.county, 150000, 148000, 80000, 79000)
    adjust(world.county, "civil_servant", date(2025, 7, 1), 500)
    adjust(world.county, "teacher", date(2025, 7, 1), 500)
    report(world.sibling_county, 140000, 146000, 80000, 79000)
    results = {r.county: r for r in selectors.county_results(world.users["city"], world.city, 2025)}
    lucheng, longwan = results[world.county], results[world.sibling_county]
    assert lucheng.status == "met" and lucheng.parity.gap == Decimal(2000)
    assert longwan.parity.status == "not_met" and longwan.parity.gap_pct == Decimal("-4.1")
    assert longwan.status == "not_met"
    from compensation import rules

    assert rules.rollup([r.status for r in results.values()]).status == "not_met"
    # A county sees only itself.
    county_view = selectors.county_results(world.users["county"], world.city, 2025)
    assert [r.county for r in county_view] == [world.county]


def test_a_bureau_rule_changes_the_threshold(world):
    report(world.county, 140000, 146000)
    ParityRule.objects.create(
        region=world.city, effective_from=date(2024, 1, 1), teacher_ratio=Decimal("0.95")
    )
    result = selectors.county_results(world.users["city"], world.county, 2025)[0]
    assert result.parity.status == "met"


def test_the_county_page_saves_the_report_and_adjustments_with_audit(client, world):
    client.force_login(world.users["county"])
    url = reverse("pay_region", args=[world.county.pk]) + "?year=2025"
    page = client.get(url)
    assert page.status_code == 200 and "data-save-report" in page.content.decode()
    response = client.post(
        url,
        {
            "report-teacher_pay": "150000",
            "report-civil_servant_pay": "151000",
            "report-kindergarten_income": "",
            "report-last_year_wage": "",
            "report-note": "",
        },
    )
    assert response.status_code == 302
    saved = PayReport.objects.get(county=world.county, year=2025)
    assert saved.teacher_pay == Decimal(150000) and saved.entered_by == world.users["county"]
    client.post(
        url,
        {
            "adj-group": "civil_servant",
            "adj-effective_on": "2025-07-01",
            "adj-amount": "400",
            "adj-note": "",
        },
    )
    assert PayAdjustment.objects.filter(county=world.county).count() == 1
    body = client.get(url).content.decode()
    assert 'data-status="not_met"' in body and ("-1,000" in body or "-1000" in body)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"pay.report_create", "pay.adjustment_create"} <= actions
    # A refused value: a negative amount names the field.
    bad = client.post(
        url,
        {
            "report-teacher_pay": "-5",
            "report-civil_servant_pay": "151000",
            "report-kindergarten_income": "",
            "report-last_year_wage": "",
            "report-note": "",
        },
    )
    assert bad.status_code == 200
    assert PayReport.objects.get(county=world.county, year=2025).teacher_pay == Decimal(150000)


def test_the_city_table_and_export(client, world):
    report(world.county, 150000, 148000, 80000, 79000)
    report(world.sibling_county, 140000, 146000, 80000, 79000)
    client.force_login(world.users["city"])
    page = client.get(reverse("pay_region", args=[world.city.pk]) + "?year=2025").content.decode()
    assert "data-pay-table" in page and f'data-county="{world.county.name}"' in page
    export = client.get(reverse("pay_export", args=[world.city.pk]) + "?year=2025")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][1] == "区县" and len(rows) == 3
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[world.sibling_county.name][7] == "未达标"
    assert by_name[world.county.name][-1] in ("达标", "数据不全")


def test_pay_reports_import_from_a_workbook(world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "区县代码",
            "区县名称",
            "年度",
            "义务教育教师年平均工资（元）",
            "当地公务员年平均工资（元）",
            "非在编幼儿园教师年平均收入（元）",
            "上年度在岗职工年平均工资（元）",
        ]
    )
    sheet.append([world.county.code, "鹿城区", 2025, 150000, "148,000", 80000, 79000])
    sheet.append([world.far_county.code, "西湖区", 2025, 150000, 148000, None, None])
    sheet.append([world.sibling_county.code, "龙湾区", "2025年", "十五万", 148000, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    job = imports.import_job_create(
        user=world.users["city"], kind="pay", file_name="工资.xlsx", data=buffer.getvalue()
    )
    job.refresh_from_db()
    assert (job.new_rows, job.refused_rows) == (1, 2)
    errors = {r.line: r.errors for r in job.rows.filter(action="refused")}
    assert errors[3][0]["column"] == "区县代码"  # another city's county
    assert (
        errors[4][0]["column"] == "义务教育教师年平均工资（元）"
        and errors[4][0]["value"] == "十五万"
    )
    imports.import_job_confirm(job=job, user=world.users["city"], valid_rows_only=True)
    saved = PayReport.objects.get(county=world.county, year=2025)
    assert saved.civil_servant_pay == Decimal(148000)
    assert not PayReport.objects.filter(county=world.far_county).exists()


def test_the_api_writes_and_derives(world):
    api = APIClient()
    api.force_authenticate(world.users["county"])
    made = api.post(
        "/api/v1/pay-reports/",
        {
            "county": world.county.pk,
            "year": 2025,
            "teacher_pay": "150000",
            "civil_servant_pay": "151000",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    again = api.post(
        "/api/v1/pay-reports/",
        {"county": world.county.pk, "year": 2025, "teacher_pay": "152000"},
        format="json",
    )
    assert again.status_code == 201 and PayReport.objects.count() == 1
    foreign = api.post(
        "/api/v1/pay-reports/",
        {"county": world.sibling_county.pk, "year": 2025, "teacher_pay": "1"},
        format="json",
    )
    assert (
        foreign.status_code == 400
        and not PayReport.objects.filter(county=world.sibling_county).exists()
    )
    checks = api.get(f"/api/v1/pay-checks/?region={world.county.pk}&year=2025").json()
    assert checks["counties"][0]["teacher_parity"]["status"] == "met"
    assert checks["rollup"]["incomplete"] == 1  # no kindergarten figures yet
    teacher = APIClient()
    teacher.force_authenticate(world.users["teacher"])
    assert teacher.post("/api/v1/pay-adjustments/", {}, format="json").status_code == 403
    assert teacher.get("/api/v1/pay-reports/").json()["results"] == []


def test_a_year_out_of_range_is_a_clear_refusal_not_a_server_error(world):
    """Attack round 3: year 0 crashed the checks and was accepted in a report."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users["county"])
    for year in (0, -1, 10000):
        response = client.get("/api/v1/pay-checks/", {"region": world.county.pk, "year": year})
        assert response.status_code == 400, (year, response.status_code)
    response = client.post(
        "/api/v1/pay-reports/", {"county": world.county.pk, "year": 0}, format="json"
    )
    assert response.status_code == 400 and "year" in response.json()
