"""The training ledger: records, reviews, reversals, rule-set inheritance, summaries that
match the pure rules, and the pages' query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Teacher
from training import presets, rules, selectors, services
from training.models import Course, RuleSet, TrainingRecord, TrainingSummary

from .. import factories

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def credit(
    teacher, hours, *, on=date(2026, 5, 1), category="subject", level="county", actor=None, **extra
):
    return services.record_create(
        teacher=teacher,
        hours=hours,
        completed_on=on,
        level=level,
        category=category,
        source=extra.pop("source", "staff"),
        actor=actor,
        description=extra.pop("description", "培训"),
        **extra,
    )


def course(world, code="C1", hours=24, category="subject"):
    return Course.objects.create(
        code=code,
        title="学科研修",
        region=world.city,
        level="city",
        category=category,
        hours=hours,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 3),
    )


def test_staff_entries_are_approved_self_reports_wait(world):
    staff = world.users["school"]
    approved = credit(world.colleague, 12, actor=staff)
    pending = credit(world.colleague, 6, actor=world.users["teacher"], source="self")
    assert (approved.status, pending.status) == ("approved", "pending")
    assert approved.hours == Decimal(12)


def test_the_same_course_cannot_be_credited_twice(world):
    item = course(world)
    credit(world.colleague, 24, course=item, on=date(2026, 3, 3), actor=world.users["school"])
    with pytest.raises(ValidationError):
        credit(world.colleague, 24, course=item, on=date(2026, 3, 3), actor=world.users["school"])
    assert TrainingRecord.objects.filter(course=item).count() == 1


def test_a_reversed_credit_can_be_entered_again(world):
    item = course(world)
    first = credit(
        world.colleague, 24, course=item, on=date(2026, 3, 3), actor=world.users["school"]
    )
    reversal = services.record_reverse(record=first, actor=world.users["school"], reason="学时填错")
    assert reversal.hours_tenths == -240
    again = credit(
        world.colleague, 12, course=item, on=date(2026, 3, 3), actor=world.users["school"]
    )
    training = selectors.teacher_training(world.colleague, as_of=TODAY)
    assert training.assessment.credited == Decimal(12)
    assert again.status == "approved"


def test_records_are_append_only_and_reversal_needs_a_reason(world):
    record = credit(world.colleague, 10, actor=world.users["school"])
    with pytest.raises(ValidationError):
        services.record_reverse(record=record, actor=world.users["school"], reason=" ")
    services.record_reverse(record=record, actor=world.users["school"], reason="重复录入")
    with pytest.raises(ValidationError):
        services.record_reverse(record=record, actor=world.users["school"], reason="again")


def test_review_approves_in_bulk_and_rejection_needs_a_reason(world):
    teacher_user = world.users["teacher"]
    records = [credit(world.teacher, h, actor=teacher_user, source="self") for h in (6, 8)]
    queryset = TrainingRecord.objects.filter(pk__in=[r.pk for r in records])
    with pytest.raises(ValidationError):
        services.records_review(records=queryset, actor=world.users["school"], approve=False)
    assert services.records_review(records=queryset, actor=world.users["school"], approve=True) == 2
    summary = TrainingSummary.objects.get(teacher=world.teacher)
    assert summary.credited == Decimal(24 + 6 + 8)
    assert AuditEvent.objects.filter(action="training_record.approve").count() == 2


def test_a_county_rule_set_overrides_the_province_and_history_keeps_its_rules(world):
    services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2026, 7, 1),
        # Jiangsu's figures, with the province's 24 ethics hours a year as the floor (F8).
        **{
            **presets.preset_fields("jiangsu"),
            "name": "县规则",
            "ethics_per_year": 24,
            "ethics_week_days": 3,  # not below the province's (F8)
        },
    )
    assert selectors.rule_set_for(world.county, date(2026, 6, 30)).region == world.province
    assert selectors.rule_set_for(world.county, date(2026, 7, 1)).region == world.county
    assert selectors.rule_set_for(world.sibling_county, TODAY).region == world.province


def test_set_based_summaries_equal_the_pure_rules(world):
    """The nightly recompute (grouped SQL) gives each teacher the figures of the per-teacher
    computation (Python over the records) — here with credits, caps and reversals."""
    services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2021, 1, 1),
        # Ethics not below the province's 24 hours (F8): 4 credits of 6 hours.
        **{
            **presets.preset_fields("zhejiang-credits"),
            "ethics_per_year": Decimal(4),
            "ethics_week_days": 3,
        },
    )
    staff = world.users["county"]
    for teacher in (world.teacher, world.colleague, world.sibling_teacher):
        credit(teacher, 120, mode="face_to_face", actor=staff)  # 20 credits → capped at 15
        credit(teacher, 400, mode="degree", category="degree", actor=staff)  # 20, cap 20/year
        credit(teacher, 16, mode="online", category="ethics", actor=staff, on=date(2026, 2, 1))
        wrong = credit(teacher, 60, mode="online", actor=staff, on=date(2026, 4, 1))
        services.record_reverse(record=wrong, actor=staff, reason="误录")
    services.summaries_recompute(as_of=TODAY)
    for teacher in Teacher.objects.filter(school__county=world.county):
        summary = TrainingSummary.objects.get(teacher=teacher)
        expected = selectors.teacher_training(teacher, as_of=TODAY).assessment
        assert (summary.credited, summary.status) == (
            expected.credited.quantize(Decimal("0.1")),
            expected.status,
        ), teacher.name
        assert summary.ethics_this_year == expected.ethics_this_year.quantize(Decimal("0.1"))


def test_recompute_is_idempotent(world):
    services.summaries_recompute(as_of=TODAY)
    first = list(
        TrainingSummary.objects.order_by("teacher_id").values_list(
            "teacher_id", "credited", "status"
        )
    )
    services.summaries_recompute(as_of=TODAY)
    again = list(
        TrainingSummary.objects.order_by("teacher_id").values_list(
            "teacher_id", "credited", "status"
        )
    )
    assert first == again and len(first) == Teacher.objects.count()


def test_my_training_page_submits_a_self_report(client, world):
    client.force_login(world.users["teacher"])
    response = client.post(
        reverse("my_training"),
        {
            "description": "区级读书会",
            "hours": "6",
            "completed_on": "2026-10-01",
            "level": "county",
            "category": "ethics",
            "mode": "face_to_face",
            "evidence": SimpleUploadedFile(
                "证书.pdf", b"%PDF-1.4 x", content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(description="区级读书会")
    assert (record.status, record.source, record.created_by) == (
        "pending",
        "self",
        world.users["teacher"],
    )


def test_self_report_refuses_a_fake_certificate(client, world):
    client.force_login(world.users["teacher"])
    response = client.post(
        reverse("my_training"),
        {
            "description": "x",
            "hours": "6",
            "completed_on": "2026-10-01",
            "level": "county",
            "category": "ethics",
            "mode": "face_to_face",
            "evidence": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 200
    assert not TrainingRecord.objects.filter(description="x").exists()


def test_teacher_page_query_count_is_bounded(client, world):
    for n in range(15):
        credit(world.teacher, 3, actor=world.users["school"], description=f"课{n}")
    client.force_login(world.users["teacher"])
    client.get(reverse("my_training"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("my_training"))
    assert response.status_code == 200
    assert len(queries) <= 12, [q["sql"][:80] for q in queries]


def test_region_page_query_count_is_pinned(client, world):
    services.summaries_recompute(as_of=TODAY)
    client.force_login(world.users["city"])
    url = reverse("training_region", args=[world.city.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(10):
        factories.teacher(world.neighbour_school, name=factories.person_name(n, "新"))
    factories.county(world.city, code="330304", name="瓯海区")  # one more row on the page
    services.summaries_recompute(as_of=TODAY)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(after) == len(before) <= 12
    counts = response.context["whole"].counts
    assert sum(counts.values()) == 14  # the city's 4 teachers and the 10 new ones


def test_transcript_is_a_pdf(client, world):
    client.force_login(world.users["teacher"])
    response = client.get(reverse("my_transcript"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_behind_export_lists_teachers_behind(client, world):
    services.summaries_recompute(as_of=TODAY)
    client.force_login(world.users["county"])
    response = client.get(reverse("training_behind_export", args=[world.county.pk]))
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert world.colleague.name in names and world.neighbour_teacher.name not in names


def test_rule_set_form_creates_a_new_version_and_recomputes(client, world):
    client.force_login(world.users["county"])
    fields = {k: ("" if v is None else v) for k, v in presets.preset_fields("jiangsu").items()}
    fields.update(
        name="鹿城区规则",
        effective_from="2027-01-01",  # a new version starts today or later
        hours_per_credit="{}",
        category_caps="{}",
        year_category_caps="{}",
    )
    fields["ethics_per_year"] = "24"  # not below the province's (F8)
    fields["ethics_week_days"] = "3"
    response = client.post(reverse("training_rules"), fields)
    assert response.status_code == 302, response.content[:500]
    assert RuleSet.objects.filter(region=world.county).count() == 1
    assert TrainingSummary.objects.filter(teacher=world.teacher).exists()


def test_cycle_sentences_come_from_the_rules(world):
    with __import__("django").utils.translation.override("zh-hans"):
        result = selectors.teacher_training(world.colleague, as_of=TODAY).assessment
    assert any("师德" in line for line in result.explanations)
    assert result.cycle == rules.cycle_of(
        result and selectors.rule_set_for(world.county, TODAY).as_rule(), TODAY
    )


def test_every_status_and_principals_agree_between_the_two_paths(world):
    """complete, at risk (a past year's ethics missing), behind, and a principal appointed
    within the cycle (first-year rule): the nightly recompute and the teacher's own page
    agree. On PostgreSQL this compares the SQL statement with the Python rules."""
    from portal import services as kernel

    staff = world.users["superuser"]
    as_of = date(2025, 12, 1)  # the last month of the 2021–2025 cycle
    for year in range(2021, 2026):
        credit(
            world.colleague,
            24,
            category="ethics",
            on=date(year, 3, 1),
            actor=staff,
            description=f"师德{year}",
        )
        credit(world.colleague, 48, on=date(year, 5, 1), actor=staff, description=f"学科{year}")
        if year != 2023:
            credit(
                world.sibling_teacher,
                24,
                category="ethics",
                on=date(year, 3, 1),
                actor=staff,
                description=f"师德{year}",
            )
    credit(world.sibling_teacher, 340, on=date(2024, 5, 1), actor=staff, description="学科")
    kernel.service_period_open(
        teacher=world.neighbour_teacher,
        school=world.neighbour_school,
        role="principal",
        stage="primary",
        start=date(2025, 3, 1),
    )
    credit(
        world.neighbour_teacher,
        200,
        category="principal",
        on=date(2025, 6, 1),
        actor=staff,
        description="任职资格培训",
    )
    services.summaries_recompute(as_of=as_of)
    statuses = {}
    for teacher in Teacher.objects.all():
        summary = TrainingSummary.objects.get(teacher=teacher)
        expected = selectors.teacher_training(teacher, as_of=as_of).assessment
        assert (summary.status, summary.credited, summary.required) == (
            expected.status,
            expected.credited.quantize(Decimal("0.1")),
            expected.required.quantize(Decimal("0.1")),
        ), teacher.name
        statuses[teacher.pk] = summary.status
    assert statuses[world.colleague.pk] == "complete"
    assert statuses[world.sibling_teacher.pk] == "at_risk"
    assert statuses[world.neighbour_teacher.pk] == "at_risk"  # 100 first-year hours short


def test_recompute_command_and_admin_scope(client, world):
    from django.core.management import call_command

    call_command("recompute_training", "--as-of", "2026-11-23", verbosity=0)
    assert TrainingSummary.objects.count() == Teacher.objects.count()
    client.force_login(world.users["superuser"])
    assert client.get("/admin/training/trainingrecord/").status_code == 200
    assert client.get("/admin/training/course/").status_code == 200


def test_region_page_shows_zero_for_a_status_nobody_has(client, world):
    services.summaries_recompute(as_of=TODAY)
    client.force_login(world.users["city"])
    response = client.get(reverse("training_region", args=[world.city.pk]))
    body = response.content.decode()
    assert 'data-status-count="complete">0<' in body
    assert ">complete<" not in body and ">at_risk<" not in body


def test_a_principal_appointed_on_29_february(world):
    """Issue 13 item 3: the recompute crashed (ValueError: day is out of range) and every
    summary went stale. The first year ends on 28 February of the next year, inclusive,
    in the nightly recompute and on the teacher's page alike."""
    from portal import services as kernel

    staff = world.users["superuser"]
    kernel.service_period_open(
        teacher=world.neighbour_teacher,
        school=world.neighbour_school,
        role="principal",
        stage="primary",
        start=date(2024, 2, 29),
    )
    credit(
        world.neighbour_teacher,
        150,
        category="principal",
        on=date(2024, 6, 1),
        actor=staff,
        description="任职资格培训一",
    )
    credit(
        world.neighbour_teacher,
        150,
        category="principal",
        on=date(2025, 2, 28),  # the last day of the first year
        actor=staff,
        description="任职资格培训二",
    )
    as_of = date(2025, 3, 10)
    services.summaries_recompute(as_of=as_of)
    assert TrainingSummary.objects.count() == Teacher.objects.count()
    page = selectors.teacher_training(world.neighbour_teacher, as_of=as_of).assessment
    assert not any("first year" in line or "第一年" in line for line in page.explanations)
    summary = TrainingSummary.objects.get(teacher=world.neighbour_teacher)
    assert summary.status == page.status
    assert rules.first_year_end(date(2024, 2, 29)) == date(2025, 2, 28)
