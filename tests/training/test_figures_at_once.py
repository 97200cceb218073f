"""Issue 13, items 3, 10 and 11: a record dated before the teacher entered service is refused
at every door; a teacher written by any door has a summary at once; one teacher's bad data
never stops the others' summaries."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from portal import services as kernel
from portal.imports import services as imports
from portal.models import Teacher
from training import rules, services
from training.models import TrainingRecord, TrainingSummary

from .. import factories
from .. import import_files as files
from .test_import import HEADER, row

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today_and_tasks_at_once(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda func, using=None, robust=False: func()
    )


@pytest.fixture
def newcomer(world):
    """Entered service on 1 September 2023."""
    return factories.teacher(world.school, name="新教师", started_teaching=date(2023, 9, 1))


# --- Item 10: records before service ----------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "refused"),
    [(date(2023, 8, 31), True), (date(2023, 9, 1), False), (date(2022, 2, 28), True)],
)
def test_the_service_refuses_a_record_before_service(world, newcomer, on, refused):
    def create():
        return services.record_create(
            teacher=newcomer,
            hours=6,
            completed_on=on,
            level="county",
            category="ethics",
            source="staff",
            actor=world.users["school"],
            description="培训",
        )

    if refused:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
            create()
        message = caught.value.message_dict["completed_on"][0]
        assert on.isoformat() in message and "2023-09-01" in message
        assert not TrainingRecord.objects.filter(teacher=newcomer).exists()
    else:
        assert create().status == "approved"


def test_the_import_refuses_a_record_before_service_naming_row_column_and_value(world, newcomer):
    job = imports.import_job_create(
        user=world.users["school"],
        kind="training",
        file_name="学时.csv",
        data=files.csv_bytes(
            [row(newcomer, date="2023-06-30"), row(world.teacher, date="2023-06-30")],
            header=HEADER,
        ),
        commit_when_valid=True,
    )
    job.refresh_from_db()
    assert (job.status, job.refused_rows) == ("refused", 1)
    errors = [e for r in job.rows.all() for e in r.errors]
    assert [(e["column"], e["value"]) for e in errors] == [("完成日期", "2023-06-30")]
    assert not TrainingRecord.objects.filter(import_job=job).exists()  # all or nothing


def test_the_api_refuses_a_record_before_service(world, newcomer):
    client = APIClient()
    client.force_authenticate(world.users["school"])
    response = client.post(
        "/api/v1/training/records/",
        {
            "teacher": newcomer.pk,
            "description": "培训",
            "hours": "6",
            "completed_on": "2023-01-15",
            "level": "county",
            "category": "ethics",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "completed_on" in response.json()


def test_the_self_report_page_refuses_a_record_before_service(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    Teacher.objects.filter(pk=world.teacher.pk).update(started_teaching=date(2024, 9, 1))
    world.teacher.service_periods.update(start=date(2024, 9, 1))
    client.force_login(world.users["teacher"])
    response = client.post(
        reverse("my_training"),
        {
            "description": "早年培训",
            "hours": "6",
            "completed_on": "2024-03-01",
            "level": "county",
            "category": "ethics",
            "mode": "face_to_face",
            "evidence": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
        },
    )
    assert response.status_code == 200
    assert not TrainingRecord.objects.filter(description="早年培训").exists()


# --- Item 4 through the pages: the entrant's own page and the summary -------------------------


def test_an_entrant_is_not_at_risk_for_years_before_service(world, newcomer):
    for year in (2024, 2025):
        services.record_create(
            teacher=newcomer,
            hours=24,
            completed_on=date(year, 3, 1),
            level="county",
            category="ethics",
            source="staff",
            actor=world.users["school"],
            description=f"{year} 师德",
        )
    services.record_create(
        teacher=newcomer,
        hours=312,  # 360 with the ethics hours
        completed_on=date(2025, 6, 1),
        level="county",
        category="subject",
        source="staff",
        actor=world.users["school"],
        description="学科",
    )
    services.summaries_recompute(as_of=date(2025, 12, 31))
    assert TrainingSummary.objects.get(teacher=newcomer).status == "complete"


# --- Item 11: a teacher written by any door has a summary at once ------------------------------


def test_a_roster_import_gives_new_teachers_a_summary_at_once(world):
    data = files.csv_bytes(
        [
            [
                world.school.code,
                "李新",
                factories.id_number(birth=date(1990, 3, 3)),
                "小学",
                "语文",
                "在编",
                "是",
                "一级教师",
                "2012-09-01",
            ]
        ]
    )
    job = imports.import_job_create(
        user=world.users["school"],
        kind="roster",
        file_name="名单.csv",
        data=data,
        commit_when_valid=True,
    )
    job.refresh_from_db()
    assert job.status == "done", job.failure
    summary = TrainingSummary.objects.get(teacher__name="李新")
    # Nothing yet in the 2026–2030 cycle: below the straight line, at once.
    assert (summary.credited, summary.status) == (Decimal(0), "behind")


def test_a_teacher_created_or_retired_through_the_services_is_summarised_at_once(world):
    teacher = factories.teacher(world.school, name="钱多")
    assert TrainingSummary.objects.filter(teacher=teacher).exists()
    kernel.teacher_update(teacher=teacher, status="retired", retired_on=date(2026, 7, 31))
    assert not TrainingSummary.objects.filter(teacher=teacher).exists()


def test_approving_a_self_report_updates_the_summary_in_the_same_request(client, world):
    services.summaries_recompute(as_of=TODAY)
    record = services.record_create(
        teacher=world.colleague,
        hours=10,
        completed_on=date(2026, 5, 1),
        level="county",
        category="subject",
        source="self",
        actor=world.users["teacher"],
        description="自报",
    )
    before = TrainingSummary.objects.get(teacher=world.colleague).credited
    services.records_review(
        records=TrainingRecord.objects.filter(pk=record.pk),
        actor=world.users["school"],
        approve=True,
    )
    assert TrainingSummary.objects.get(teacher=world.colleague).credited == before + 10


# --- Item 3: one teacher's failure never stops the others -------------------------------------


def test_one_teacher_failing_is_logged_and_the_others_are_written(world, monkeypatch, caplog):
    TrainingSummary.objects.all().delete()
    real = rules.assess

    def fragile(totals, rule, **kwargs):
        if kwargs.get("began") == date(1999, 9, 1):
            raise ValueError("day is out of range for month")
        return real(totals, rule, **kwargs)

    Teacher.objects.filter(pk=world.colleague.pk).update(started_teaching=date(1999, 9, 1))
    world.colleague.service_periods.update(start=date(1999, 9, 1))
    monkeypatch.setattr(rules, "assess", fragile)
    written = services.summaries_recompute_by_rules(as_of=TODAY)
    assert written == Teacher.objects.filter(status="serving").count() - 1
    assert not TrainingSummary.objects.filter(teacher=world.colleague).exists()
    assert TrainingSummary.objects.filter(teacher=world.teacher).exists()
    assert f"teacher {world.colleague.pk} could not be computed" in caplog.text


# --- N §2.4, §2.6, §2.2 through the doors ------------------------------------------------------


def test_an_unqualified_providers_course_is_refused_by_the_service_and_the_import(world):
    from training.models import Provider

    provider = Provider.objects.create(
        name="某未认定机构", region=world.city, qualified=True, qualified_until=date(2026, 3, 2)
    )
    world.course.provider = provider
    world.course.save()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.record_create(
            teacher=world.colleague,
            course=world.course,
            hours=24,
            completed_on=date(2026, 3, 3),
            level="city",
            category="subject",
            source="staff",
            actor=world.users["school"],
        )
    assert "2026-03-02" in caught.value.message_dict["course"][0]
    job = imports.import_job_create(
        user=world.users["school"],
        kind="training",
        file_name="学时.csv",
        data=files.csv_bytes(
            [row(world.colleague, course=world.course.code, description="", date="2026-03-03")],
            header=HEADER,
        ),
        commit_when_valid=True,
    )
    job.refresh_from_db()
    assert (job.status, job.refused_rows) == ("refused", 1)
    assert [e["column"] for r in job.rows.all() for e in r.errors] == ["课程编号"]
    # Within the qualification the course counts.
    record = services.record_create(
        teacher=world.colleague,
        course=world.course,
        hours=24,
        completed_on=date(2026, 3, 2),
        level="city",
        category="subject",
        source="staff",
        actor=world.users["school"],
    )
    assert record.status == "approved"


def test_a_principal_from_the_reserve_is_exempt_from_the_first_year_training(world):
    from portal.models import ServicePeriod
    from training import selectors

    for teacher, from_reserve in ((world.teacher, True), (world.colleague, False)):
        ServicePeriod.objects.create(
            teacher=teacher,
            school=world.school,
            role="principal",
            stage="primary",
            start=date(2026, 3, 1),
            from_reserve=from_reserve,
        )
    exempt = selectors.teacher_training(world.teacher, as_of=TODAY).assessment
    bound = selectors.teacher_training(world.colleague, as_of=TODAY).assessment
    assert exempt.principal_first_year_short == 0
    assert bound.principal_first_year_short == Decimal(300)
    services.summaries_recompute(as_of=TODAY)
    assert TrainingSummary.objects.get(teacher=world.teacher).status == exempt.status
    assert TrainingSummary.objects.get(teacher=world.colleague).status == bound.status


def test_the_ethics_week_shows_on_the_teachers_and_the_schools_pages(client, world):
    from training.models import RuleSet

    RuleSet.objects.filter(pk=world.rule_set.pk).update(ethics_week_days=3)
    for day in (25, 26, 27):
        services.record_create(
            teacher=world.colleague,
            hours=6,
            completed_on=date(2026, 8, day),
            level="school",
            category="ethics",
            source="staff",
            actor=world.users["school"],
            description=f"师德教育周第{day}日",
        )
    client.force_login(world.users["school"])
    with translation.override("zh-hans"):
        page = client.get(reverse("training_teacher", args=[world.colleague.pk]))
        assert "3/3" not in page.content.decode()  # words, not a fraction
        assert "data-ethics-week" in page.content.decode()
        school = client.get(reverse("training_school", args=[world.school.pk]))
    text = school.content.decode()
    assert "data-ethics-week-school" in text
    from training import selectors

    counts = selectors.ethics_week_counts(world.users["school"], world.school, as_of=TODAY)
    assert (counts.met, counts.due) == (1, 2)


def test_the_issue_example_principal_summary_and_page_agree(world):
    """Appointed 2023-03-01, a 300-hour course ended 2024-03-01 (the first anniversary): the
    first year is met, and the summary, the page and the API say the same."""
    from portal.models import ServicePeriod
    from training import selectors

    ServicePeriod.objects.create(
        teacher=world.colleague,
        school=world.school,
        role="principal",
        stage="primary",
        start=date(2023, 3, 1),
    )
    for on, hours, category in (
        (date(2024, 3, 1), 300, "principal"),
        (date(2021, 5, 1), 24, "ethics"),
        (date(2022, 5, 1), 24, "ethics"),
        (date(2023, 5, 1), 24, "ethics"),
        (date(2024, 5, 1), 24, "ethics"),
        (date(2025, 5, 1), 24, "ethics"),
    ):
        services.record_create(
            teacher=world.colleague,
            hours=hours,
            completed_on=on,
            level="province",
            category=category,
            source="staff",
            actor=world.users["superuser"],
            description="任职资格培训" if category == "principal" else "师德",
        )
    as_of = date(2025, 6, 1)
    page = selectors.teacher_training(world.colleague, as_of=as_of).assessment
    services.summaries_recompute(as_of=as_of)
    summary = TrainingSummary.objects.get(teacher=world.colleague)
    assert page.principal_first_year_short == 0
    assert (summary.status, summary.credited) == (page.status, Decimal(420))
    client = APIClient()
    client.force_authenticate(world.users["school"])
    api = client.get(f"/api/v1/training/compliance/{world.colleague.pk}/")  # today
    assert api.status_code == 200, api.content
    today = selectors.teacher_training(world.colleague, as_of=TODAY).assessment
    services.summaries_recompute(as_of=TODAY)
    summary = TrainingSummary.objects.get(teacher=world.colleague)
    assert api.json()["status"] == today.status == summary.status


def test_a_principal_appointed_before_the_cycle_keeps_the_first_year_rule(world):
    """Appointed 2025-12-03, the first year runs to 2026-12-03, into the 2026–2030 cycle: the
    300 hours are still owed, with the record of 2025-12-10 counting toward them (found by
    the independent recompute)."""
    from portal.models import ServicePeriod
    from training import selectors

    ServicePeriod.objects.create(
        teacher=world.colleague,
        school=world.school,
        role="principal",
        stage="primary",
        start=date(2025, 12, 3),
    )
    services.record_create(
        teacher=world.colleague,
        hours=100,
        completed_on=date(2025, 12, 10),
        level="province",
        category="principal",
        source="staff",
        actor=world.users["superuser"],
        description="任职资格培训",
    )
    page = selectors.teacher_training(world.colleague, as_of=TODAY).assessment
    assert page.principal_first_year_short == Decimal(200)
    assert page.status == "behind"  # 100 of the ≈ 271 the first year's line asks by now
    services.summaries_recompute(as_of=TODAY)
    assert TrainingSummary.objects.get(teacher=world.colleague).status == page.status


def test_a_leaver_is_shown_no_ethics_week_after_leaving(world):
    from training import selectors
    from training.models import RuleSet

    RuleSet.objects.filter(pk=world.rule_set.pk).update(ethics_week_days=3)
    kernel.teacher_update(teacher=world.colleague, status="left")
    world.colleague.service_periods.update(end=date(2026, 6, 30))
    training = selectors.teacher_training(world.colleague, as_of=TODAY)
    assert training.ethics_week is None
    stayer = selectors.teacher_training(world.teacher, as_of=TODAY)
    assert stayer.ethics_week is not None and not stayer.ethics_week.met
