"""The demo shows every rule (docs/demo.md): each named edge case exists with the property that
makes its rule show. The demo is seeded once for the module (few random teachers) inside a
transaction rolled back at the end, so nothing is left for the other tests."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal import demo_data, rules
from portal.models import Region, School, ServicePeriod, Teacher, User

AS_OF = date(2026, 9, 1)  # the demo date (seed_demo's default)
CYCLE_START = date(2026, 1, 1)  # 2026–2030: five calendar years from the rule sets' 2021


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", "--seed", "3", "--teachers", "40", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def edge(demo, db):
    def find(key: str) -> Teacher:
        spec = demo_data.edge_case(key, AS_OF)
        return Teacher.objects.select_related("school__county").get(
            name=spec.name, school__code=spec.school_code
        )

    return find


def _training(teacher, on=AS_OF):
    from training import selectors

    return selectors.teacher_training(teacher, as_of=on)


def _candidates(teacher, year=AS_OF.year) -> dict[str, str]:
    from honors.models import Candidate

    return dict(
        Candidate.objects.filter(teacher=teacher, year=year).values_list(
            "honour_type__code", "status"
        )
    )


def test_every_edge_case_is_there_once_and_docs_name_it(edge):
    text = (Path(__file__).resolve().parents[2] / "docs" / "demo.md").read_text(encoding="utf-8")
    for spec in demo_data.edge_cases(AS_OF):
        teacher = edge(spec.key)
        assert teacher.reveal_id_number() == spec.id_number
        assert Teacher.objects.filter(name=spec.name).count() == 1, spec.name
        assert spec.name in text and teacher.school.name in text, spec.key


def test_every_county_has_every_kind_of_school_rural_and_weak(demo, db):
    for county in Region.objects.filter(level="county", code__startswith="3303"):
        schools = School.objects.filter(county=county)
        kinds = set(schools.values_list("school_type", flat=True))
        assert kinds >= {"kindergarten", "primary", "junior", "senior", "vocational", "special"}
        assert schools.filter(is_rural=True).exists(), county.name
        assert schools.filter(is_weak=True).exists(), county.name
        assert schools.filter(is_rural=False).exists(), county.name


def test_demo_accounts_keep_working(edge):
    teacher = edge(demo_data.DEMO_TEACHER)
    account = User.objects.get(username="teacher")
    assert account.teacher == teacher
    assert User.objects.get(username="school").school == teacher.school
    assert account.check_password("Demo@2026pw")


def test_demo_teacher_is_short_of_this_years_ethics_hours(edge):
    from training.models import TrainingRecord

    teacher = edge(demo_data.DEMO_TEACHER)
    assessment = _training(teacher).assessment
    assert assessment.ethics_short_years == [AS_OF.year]
    assert assessment.ethics_this_year == 12 < assessment.ethics_required
    assert assessment.status in ("on_track", "behind")
    assert TrainingRecord.objects.filter(teacher=teacher, status="pending").exists()
    assert teacher.titles.filter(tier__code="jiaotan-xinxiu").exists()


def test_two_cycles_of_ledger(edge):
    from training.models import TrainingRecord

    years = set(
        TrainingRecord.objects.filter(teacher=edge(demo_data.DEMO_TEACHER)).values_list(
            "completed_on__year", flat=True
        )
    )
    assert years >= {2021, 2022, 2023, 2024, 2025, 2026}
    previous = _training(edge(demo_data.DEMO_TEACHER), on=date(2025, 12, 31)).assessment
    assert previous.cycle.label() == "2021–2025"
    assert previous.status == "complete"


def test_principal_appointed_this_cycle_owes_300_hours_in_the_first_year(edge):
    teacher = edge(demo_data.PRINCIPAL_NEW)
    since = ServicePeriod.objects.get(teacher=teacher, role="principal").start
    assessment = _training(teacher).assessment
    assert assessment.cycle.start == CYCLE_START <= since <= AS_OF
    assert assessment.principal_first_year_short == Decimal(180)  # 120 of 300


def test_principal_from_the_reserve_is_exempt(edge):
    teacher = edge(demo_data.PRINCIPAL_FROM_RESERVE)
    period = ServicePeriod.objects.get(teacher=teacher, role="principal")
    assert period.from_reserve and CYCLE_START <= period.start <= AS_OF
    assert not teacher.training_records.filter(category="principal").exists()
    assert _training(teacher).assessment.principal_first_year_short == 0


def test_ethics_week(edge):
    missed = _training(edge(demo_data.DEMO_TEACHER)).ethics_week
    assert missed is not None and missed.year == AS_OF.year and not missed.met
    kept = _training(edge(demo_data.PRINCIPAL_NEW)).ethics_week
    assert kept is not None and kept.met


def test_principal_appointed_on_29_february_2024(edge):
    from training import rules as training_rules

    teacher = edge(demo_data.PRINCIPAL_LEAP_DAY)
    since = ServicePeriod.objects.get(teacher=teacher, role="principal").start
    assert since == date(2024, 2, 29)
    assert training_rules.first_year_end(since) == date(2025, 2, 28)
    # Judged in the 2021–2025 cycle, the 300 hours were done on the first year's last day …
    on_the_day = _training(teacher, on=date(2025, 2, 28)).assessment
    assert on_the_day.cycle.label() == "2021–2025"
    assert on_the_day.principal_first_year_short == 0
    # … and in this cycle the appointment is before it: a serving principal, no first year.
    now = _training(teacher).assessment
    assert since < now.cycle.start
    assert now.principal_first_year_short == 0
    assert not any("2025-02-28" in line for line in now.explanations)


@pytest.mark.parametrize(
    ("key", "honour", "status"),
    [
        ("head-senior-26", "lifetime-head-teacher", "proposed"),
        ("head-primary-31", "lifetime-head-teacher", "proposed"),
        ("rural-31", "rural-30", "proposed"),
        ("rural-31", "rural-20", "proposed"),
        ("rural-22-interrupted", "rural-20", "proposed"),
        ("retiree", "honorary-retirement", "proposed"),
        ("veto-in-force", "teaching-30", "vetoed"),
    ],
)
def test_honour_candidates(edge, key, honour, status):
    assert _candidates(edge(key)).get(honour) == status


def test_head_teacher_thresholds_by_stage(edge):
    from honors import selectors

    senior = edge("head-senior-26")
    assert {p.stage for p in senior.service_periods.filter(role="head_teacher")} == {"senior"}
    close = selectors.teacher_honours(edge("head-primary-27"), on=AS_OF)["close"]
    lifetime = [c for c in close if c["honour"].code == "lifetime-head-teacher"]
    assert lifetime and lifetime[0]["left"] == 3
    assert "lifetime-head-teacher" not in _candidates(edge("head-primary-27"))


def test_rural_years_add_up_across_an_interruption(edge):
    teacher = edge("rural-22-interrupted")
    periods = teacher.service_periods.select_related("school")
    rural = [rules.Interval(p.start, p.end) for p in periods if p.school.is_rural]
    assert rules.completed_years(rural, as_of=AS_OF) == 22
    assert any(not p.school.is_rural for p in periods)
    assert "rural-30" not in _candidates(teacher)


def test_retiree_retired_this_year_and_is_no_lifetime_head_teacher(edge):
    teacher = edge("retiree")
    assert teacher.status == "retired" and teacher.retired_on.year == AS_OF.year
    head = [
        rules.Interval(p.start, p.end) for p in teacher.service_periods.filter(role="head_teacher")
    ]
    assert rules.completed_years(head, as_of=AS_OF) >= 30
    assert "lifetime-head-teacher" not in _candidates(teacher)


def test_leaver_counts_nowhere(edge):
    from training.models import TrainingSummary

    teacher = edge("leaver")
    assert teacher.status == "left"
    assert not teacher.service_periods.filter(end__isnull=True).exists()
    assert not TrainingSummary.objects.filter(teacher=teacher).exists()
    assert not _candidates(teacher)


def test_entrants_owe_nothing_before_service_nor_in_the_entry_year(edge):
    from training.models import TrainingRecord

    earlier = edge("entrant-2023")
    assert earlier.started_teaching == date(2023, 9, 1)
    assert not TrainingRecord.objects.filter(teacher=earlier, completed_on__lt=date(2023, 9, 1))
    short = _training(earlier, on=date(2025, 12, 31)).assessment.ethics_short_years
    assert not {2021, 2022, 2023} & set(short)
    this_year = edge("entrant-this-year")
    assert CYCLE_START < this_year.started_teaching <= AS_OF
    assessment = _training(this_year).assessment
    assert 0 < assessment.ethics_this_year < assessment.ethics_required
    assert assessment.ethics_short_years == []  # the entry year is not owed


def test_ethics_sanctions_in_force_and_expired(edge):
    from honors.models import Award
    from talent.models import Enrolment

    vetoed, cleared = edge("veto-in-force"), edge("veto-expired")
    today = max(AS_OF, timezone.localdate())  # pages judge as of today
    for on in (AS_OF, today):
        assert rules.ethics_veto(_sanctions(vetoed), on) is not None
        assert rules.ethics_veto(_sanctions(cleared), on) is None
    assert cleared.ethics_records.exists()
    assert Award.objects.filter(teacher=cleared, honour_type__code="teaching-30").exists()
    assert vetoed.titles.filter(tier__code="city-famous-teacher").exists()
    assert not Enrolment.objects.filter(teacher=vetoed, programme__tier__code="province-special")
    nominated = edge("special-nominated")
    assert Enrolment.objects.filter(
        teacher=nominated, programme__tier__code="province-special", status="nominated"
    ).exists()


def _sanctions(teacher):
    return [
        rules.Sanction(r.sanction, r.in_force_from, r.in_force_to)
        for r in teacher.ethics_records.all()
    ]


def test_credit_county(edge):
    from training import rules as training_rules
    from training import selectors

    steady = edge("credit-steady")
    rule_set = selectors.rule_set_for(steady.school.county, AS_OF)
    assert steady.school.county.code == demo_data.CREDIT_COUNTY
    assert rule_set.region.code == demo_data.CREDIT_COUNTY
    assert rule_set.unit == "credits" and rule_set.required_per_cycle == 360
    assert rule_set.cycle_years == 5 and rule_set.min_per_year == 24
    rule = rule_set.as_rule()
    # One record counts at most the item cap: 120 hours face to face are 20 credits, 15 count.
    assert training_rules.record_value(Decimal(120), "face_to_face", rule) == rule.item_cap == 15
    assert steady.training_records.filter(hours_tenths=1200, mode="face_to_face").exists()
    assessment = _training(steady).assessment
    assert assessment.year_short_years == [] and assessment.status != "at_risk"
    short = _training(edge("credit-short-year")).assessment
    assert short.year_short_years == [AS_OF.year]
    assert short.this_year_credited < 24


def test_senior_title_conditions(edge):
    from talent import selectors

    def check(key):
        found = selectors.senior_title_check(edge(key), on=AS_OF)
        assert found is not None, key
        return found[1]

    missing = check("rural-year-missing")
    assert not missing.may_apply and len(missing.refusals) == 1
    exact = edge("rural-year-exact")
    weak = [
        rules.Interval(p.start, p.end)
        for p in exact.service_periods.select_related("school")
        if p.school.is_rural or p.school.is_weak
    ]
    assert rules.service_days(weak, as_of=AS_OF) == 365
    assert check("rural-year-exact").may_apply
    assert edge("rural-year-senior-high").stage == "senior"
    assert check("rural-year-senior-high").may_apply
    suspended = edge("registration-suspended")
    assert suspended.registration == "suspended"
    assert not check("registration-suspended").may_apply
    assert check("rural-31").may_apply  # 30 years at rural schools: outside the quota


def test_backbone_share_and_rotation(edge):
    from talent import selectors
    from talent.models import Rotation, Target

    rotator = edge("backbone-rotator")
    county = rotator.school.county
    share = Target.objects.get(kind="share", region=county.parent)
    counted = set(
        selectors.counted_titles(share, county.parent, AS_OF).values_list("teacher", flat=True)
    )
    assert rotator.pk in counted
    vocational, part_time = edge("backbone-vocational"), edge("backbone-part-time")
    assert vocational.stage == "vocational" and not part_time.is_full_time
    assert vocational.titles.exists() and part_time.titles.exists()
    assert vocational.pk not in counted and part_time.pk not in counted
    rotation = Rotation.objects.get(teacher=rotator)
    assert rotation.start.year == AS_OF.year and rotation.to_school.is_rural


def test_pay_parity_counties(demo, db):
    from compensation import demo as pay_demo
    from compensation import selectors

    admin = User.objects.get(username="admin")
    city = Region.objects.get(code=demo_data.CITY[0])
    results = {r.county.code: r for r in selectors.county_results(admin, city, AS_OF.year - 1)}
    assert results[pay_demo.TEACHERS_TRAIL].parity.status == "not_met"
    assert results[pay_demo.TEACHERS_TRAIL].in_step.status == "not_met"
    assert results[pay_demo.RAISE_TOO_SMALL].in_step.status == "not_met"
    assert results[pay_demo.KINDERGARTEN_SHORT].kindergarten.status == "not_met"
    assert results[pay_demo.KINDERGARTEN_MISSING].kindergarten.status == "incomplete"
    assert results["330302"].status == "met"
