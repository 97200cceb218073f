"""One rule, one definition (issue 13 item 6): the nightly recompute's SQL (``training/sql.py``)
gives every teacher exactly the figures of the rules (``rules.totals_from_items`` and
``rules.assess``, which the teacher's own page shows), over a generated population holding
every edge class: cycle boundaries (31 December, 1 January), 29 February, teachers entering
in mid-cycle and on 1 January, leavers and retirees, principals appointed before and within
the cycle (one on 29 February), rule sets in hours and in credits with caps per item, per
year and per cycle, a yearly minimum of all credits, a county-level minimum, courses missed
by a fifth, reversals, pending and rejected records. Runs on PostgreSQL (CI does)."""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal.models import ServicePeriod, Teacher
from training import presets, selectors, services
from training.models import TrainingRecord, TrainingSummary

from .. import factories

pytestmark = pytest.mark.postgres

AS_OF_DATES = [
    date(2024, 2, 29),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 11, 23),
]
STARTS = [
    None,
    date(2005, 9, 1),
    date(2021, 1, 1),
    date(2022, 12, 31),
    date(2023, 9, 1),
    date(2024, 2, 29),
    date(2025, 1, 1),
    date(2025, 12, 31),
    date(2026, 3, 1),
]
RECORD_DAYS = [
    date(2020, 12, 31),
    date(2021, 1, 1),
    date(2022, 6, 15),
    date(2023, 3, 1),
    date(2024, 2, 29),
    date(2024, 3, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2026, 2, 28),
    date(2026, 10, 1),
]
CATEGORIES = ["ethics", "ethics", "subject", "degree", "platform", "principal", "it"]
MODES = ["face_to_face", "online", "degree", "practice"]
LEVELS = ["national", "province", "city", "county", "school"]
PRINCIPAL_SINCE = [
    date(2019, 6, 1),
    date(2021, 1, 1),
    date(2024, 2, 29),
    date(2024, 12, 31),  # the first year ends on the eve of the 2026–2030 cycle
    date(2025, 1, 1),  # ... and on its first day: it reaches into it
    date(2025, 12, 3),  # the first year reaches into the 2026–2030 cycle
    date(2026, 3, 1),
]


def _rule_sets(world):
    """Four rule sets: the province's hours (N), a credit county (Z, every credit rule), a
    county minimum (Jiangsu) and an hours county with caps and the entry year counting."""
    zhejiang = presets.preset_fields("zhejiang-credits")
    services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2021, 1, 1),
        **{**zhejiang, "name": "学分", "ethics_per_year": Decimal(6), "ethics_week_days": 3},
    )
    services.rule_set_create(
        backdate=True,
        region=world.sibling_county,
        effective_from=date(2021, 1, 1),
        **{
            **presets.preset_fields("jiangsu"),
            "name": "县级",
            "ethics_per_year": Decimal(24),
            "ethics_week_days": 3,
        },
    )
    services.rule_set_create(
        backdate=True,
        region=world.far_county,
        effective_from=date(2021, 1, 1),
        **{
            **presets.preset_fields("ningxia"),
            "name": "封顶",
            "item_cap": Decimal(40),
            "category_caps": {"platform": "90"},
            "year_category_caps": {"platform": "30"},
            "min_per_year": Decimal(50),
            "missed_share_voids": Decimal("0.25"),
            "entry_year_counts": True,
        },
    )


def _population(world, rng: random.Random) -> list[Teacher]:
    schools = [world.school, world.sibling_school, world.neighbour_school, world.far_school]
    teachers = []
    for n in range(160):
        school = schools[n % len(schools)]
        started = STARTS[n % len(STARTS)]
        teacher = factories.teacher(
            school,
            name=factories.person_name(n, "边界"),
            started_teaching=started or date(2005, 9, 1),
            id_number=factories.id_number(
                address=school.county.code, birth=date(1960, 1, 1) + timedelta(days=71 * n)
            ),
        )
        if started is None:
            # Neither a start date nor a service period known: every year counts.
            Teacher.objects.filter(pk=teacher.pk).update(started_teaching=None)
            ServicePeriod.objects.filter(teacher=teacher).delete()
        elif n % 7 == 3:
            # A service period that began before the start date given: the earlier counts.
            ServicePeriod.objects.filter(teacher=teacher).update(start=started - timedelta(days=40))
        if n % 11 == 5:
            ServicePeriod.objects.create(
                teacher=teacher,
                school=school,
                role="principal",
                stage="primary",
                start=PRINCIPAL_SINCE[(n // 11) % len(PRINCIPAL_SINCE)],
            )
        if n % 13 == 7:
            Teacher.objects.filter(pk=teacher.pk).update(
                status="retired", retired_on=date(2025, 7, 31)
            )
        elif n % 17 == 9:
            Teacher.objects.filter(pk=teacher.pk).update(status="left")
        teachers.append(teacher)
        _ledger(teacher, rng)
    return teachers


def _ledger(teacher, rng: random.Random) -> None:
    records = []
    for _ in range(rng.randint(0, 14)):
        hours = rng.choice([1, 5, 6, 8, 24, 25, 36, 120, 400]) * 10 + rng.choice([0, 0, 5])
        missed = rng.choice([0, 0, 0, hours // 4, hours // 3, (hours + 3) // 4])
        records.append(
            TrainingRecord(
                teacher=teacher,
                description="边界",
                hours_tenths=hours,
                missed_tenths=missed,
                completed_on=rng.choice(RECORD_DAYS) + timedelta(days=rng.choice([0, 0, 1, 45])),
                level=rng.choice(LEVELS),
                category=rng.choice(CATEGORIES),
                mode=rng.choice(MODES),
                source="staff",
                status=rng.choice(["approved"] * 6 + ["pending", "rejected"]),
            )
        )
    TrainingRecord.objects.bulk_create(records)
    for original in records:
        if original.status == "approved" and rng.random() < 0.12:
            TrainingRecord.objects.filter(pk=original.pk).update(is_reversed=True)
            TrainingRecord.objects.create(
                teacher=teacher,
                description="更正",
                hours_tenths=-original.hours_tenths,
                missed_tenths=original.missed_tenths,
                completed_on=original.completed_on,
                level=original.level,
                category=original.category,
                mode=original.mode,
                source="staff",
                status="approved",
                reverses=original,
            )


def _snapshot() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in TrainingSummary.objects.values_list(
            "teacher_id",
            "rule_set_id",
            "credited",
            "required",
            "county_or_above",
            "ethics_this_year",
            "status",
        )
    }


def test_the_sql_recompute_equals_the_rules_for_every_edge_class(world, monkeypatch):
    _rule_sets(world)
    _population(world, random.Random(2026))
    seen_statuses = set()
    for as_of in AS_OF_DATES:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, _d=as_of, **k: _d)
        TrainingSummary.objects.all().delete()
        services.summaries_recompute(as_of=as_of)  # PostgreSQL: the SQL path
        by_sql = _snapshot()
        TrainingSummary.objects.all().delete()
        services.summaries_recompute_by_rules(as_of=as_of)
        by_rules = _snapshot()
        differences = {
            pk: (by_sql.get(pk), by_rules.get(pk))
            for pk in by_sql.keys() | by_rules.keys()
            if by_sql.get(pk) != by_rules.get(pk)
        }
        assert differences == {}, f"{as_of}: {len(differences)} differences"
        serving = Teacher.objects.filter(status="serving")
        assert set(by_rules) == set(serving.values_list("pk", flat=True))
        # The teacher's own page says the same.
        for teacher in serving.select_related("school__county"):
            page = selectors.teacher_training(teacher, as_of=as_of).assessment
            summary = by_rules[teacher.pk]
            assert (page.credited.quantize(Decimal("0.1"), ROUND_HALF_UP), page.status) == (
                summary[1],
                summary[5],
            ), (as_of, teacher.name)
        seen_statuses |= {row[5] for row in by_rules.values()}
    # The population reaches every status, so the comparison is not vacuous.
    assert seen_statuses == {"complete", "on_track", "behind", "at_risk"}


def test_a_subset_recompute_writes_only_those_teachers(world):
    _rule_sets(world)
    teachers = _population(world, random.Random(7))[:12]
    TrainingSummary.objects.all().delete()
    services.summaries_recompute(
        teachers=Teacher.objects.filter(pk__in=[t.pk for t in teachers]), as_of=date(2026, 11, 23)
    )
    written = set(TrainingSummary.objects.values_list("teacher_id", flat=True))
    serving = {
        t.pk for t in Teacher.objects.filter(pk__in=[t.pk for t in teachers], status="serving")
    }
    assert written == serving
