"""Every page, export and drill-down of the apps that takes an id answers 404 when the object
(or any one of its ids) lies outside the user's scope, and an export answers exactly as the
page it exports: never a file where the page is not found (its name alone would tell the
other county's target or region).

A county user walks every such URL with the ids of the sibling county, one at a time, the
others being their own. ``test_every_url_with_an_id_is_walked`` fails for a new URL until it
has a case here.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from compensation import services as pay
from honors import services as honours
from honors.models import Candidate, HonourType
from talent.models import Attainment, Enrolment, Programme, Target, Tier, Title
from training import presets
from training import services as training
from training.models import Course

APPS = ("talent", "training", "honors", "compensation")


@pytest.fixture
def sibling(world):
    """Objects of the sibling county (龙湾区), beside the county user's scope."""
    tier = Tier.objects.filter(region=world.city).order_by("pk").first()
    world.sibling_target = Target.objects.create(
        plan="龙湾区教师队伍建设规划",
        name="龙湾区骨干教师新增",
        region=world.sibling_county,
        kind="new_titles",
        figure=Decimal(10),
        plan_start=date(2022, 1, 1),
        deadline=date(2027, 12, 31),
    )
    world.sibling_target.tiers.set([tier])
    world.far_target = Target.objects.create(
        plan="杭州市规划",
        name="杭州市新增",
        region=world.other_city,
        kind="new_titles",
        figure=Decimal(10),
        plan_start=date(2022, 1, 1),
        deadline=date(2027, 12, 31),
    )
    world.far_target.tiers.set([tier])
    world.sibling_programme = Programme.objects.create(
        name="龙湾区新锐教师培养",
        region=world.sibling_county,
        tier=tier,
        window_start=date(2022, 1, 1),
        window_end=date(2027, 12, 31),
    )
    world.sibling_enrolment = Enrolment.objects.create(
        programme=world.programme, teacher=world.neighbour_teacher
    )
    world.sibling_record = training.record_create(
        teacher=world.neighbour_teacher,
        hours=12,
        completed_on=date(2026, 3, 1),
        level="county",
        category="subject",
        source="staff",
        actor=world.users["superuser"],
        description="龙湾区教研",
    )
    world.sibling_record.evidence.save("certificate.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    candidate = Candidate.objects.create(
        honour_type=HonourType.objects.get(region=world.city, code="teaching-30"),
        teacher=world.neighbour_teacher,
        year=2026,
        years=31,
    )
    honours.candidates_review(
        candidates=Candidate.objects.filter(pk=candidate.pk),
        actor=None,
        approve=True,
        on=date(2026, 9, 2),
        as_system=True,
    )
    candidate.refresh_from_db()
    world.sibling_award = candidate.award
    world.sibling_batch = candidate.award.batch
    world.sibling_snapshot = Attainment.objects.create(
        target=world.sibling_target,
        region=world.sibling_county,
        as_of=date(2026, 6, 1),
        achieved=Decimal(1),
        ratio=Decimal("0.1"),
        expected=Decimal(5),
        status="behind",
    )
    world.sibling_title = Title.objects.create(
        teacher=world.neighbour_teacher,
        tier=tier,
        awarding_region=world.city,
        awarded_on=date(2024, 3, 1),
        certificate_number="330303-LW-2024-00001",
    )
    world.sibling_rule_set = training.rule_set_create(
        backdate=True,
        region=world.sibling_county,
        effective_from=date(2021, 1, 1),
        **presets.preset_fields("ningxia"),
    )
    world.sibling_course = Course.objects.create(
        code="LW2026001",
        title="龙湾区学科研修",
        region=world.sibling_county,
        level="county",
        category="subject",
        hours=8,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 1),
    )
    world.sibling_honour = HonourType.objects.create(
        region=world.sibling_county,
        code="lw-rural-20",
        name="龙湾区乡村从教二十年",
        basis="rural",
        years=20,
    )
    world.sibling_candidate = Candidate.objects.create(
        honour_type=world.sibling_honour, teacher=world.neighbour_teacher, year=2026, years=21
    )
    world.sibling_pay_report, _changed = pay.pay_report_save(
        county=world.sibling_county,
        year=2025,
        values={"teacher_pay": Decimal(150000), "civil_servant_pay": Decimal(148000)},
        actor=None,
    )
    world.sibling_adjustment = pay.adjustment_create(
        county=world.sibling_county,
        actor=None,
        group="civil_servant",
        effective_on=date(2025, 7, 1),
        amount=Decimal(500),
    )
    return world


# (method, url name, ids: World attributes, one of them the sibling county's)
WALK = [
    ("get", "talent_region", "sibling_county"),
    ("get", "talent_target", "target,sibling_county"),
    ("get", "talent_target", "sibling_target,county"),
    ("get", "talent_target", "sibling_target,sibling_county"),
    ("get", "talent_target_export", "target,sibling_county"),
    ("get", "talent_target_export", "sibling_target,county"),
    ("get", "talent_target_export", "sibling_target,sibling_county"),
    ("get", "talent_programme", "sibling_programme"),
    ("post", "talent_programme", "sibling_programme"),
    ("post", "talent_enrolment_move", "sibling_enrolment"),
    ("get", "training_region", "sibling_county"),
    ("get", "training_behind_export", "sibling_county"),
    ("get", "training_school", "neighbour_school"),
    ("get", "training_teacher", "neighbour_teacher"),
    ("get", "training_transcript", "neighbour_teacher"),
    ("get", "training_record", "sibling_record"),
    ("post", "training_record_reverse", "sibling_record"),
    ("get", "honours_certificate", "sibling_award"),
    ("post", "honours_revoke", "sibling_award"),
    ("get", "honours_batch", "sibling_batch"),
    ("get", "pay_region", "sibling_county"),
    ("post", "pay_region", "sibling_county"),
    ("get", "pay_export", "sibling_county"),
    ("post", "pay_adjustment_delete", "sibling_adjustment"),
    # The apps' API
    ("get", "ruleset-detail", "sibling_rule_set"),
    ("get", "course-detail", "sibling_course"),
    ("get", "trainingrecord-detail", "sibling_record"),
    ("post", "trainingrecord-approve", "sibling_record"),
    ("post", "trainingrecord-reject", "sibling_record"),
    ("post", "trainingrecord-reverse", "sibling_record"),
    ("get", "api-training-compliance", "neighbour_teacher"),
    ("get", "target-detail", "sibling_target"),
    ("get", "attainment-detail", "sibling_snapshot"),
    ("get", "programme-detail", "sibling_programme"),
    ("get", "enrolment-detail", "sibling_enrolment"),
    ("post", "enrolment-move", "sibling_enrolment"),
    ("get", "title-detail", "sibling_title"),
    ("get", "honourtype-detail", "sibling_honour"),
    ("get", "candidate-detail", "sibling_candidate"),
    ("get", "award-detail", "sibling_award"),
    ("get", "award-certificate", "sibling_award"),
    ("get", "payreport-detail", "sibling_pay_report"),
    ("patch", "payreport-detail", "sibling_pay_report"),
    ("get", "payadjustment-detail", "sibling_adjustment"),
    ("delete", "payadjustment-detail", "sibling_adjustment"),
]
# Ids in the query string of the apps' API
QUERY = [
    ("api-training-summaries", "region=sibling_county"),
    ("api-pay-checks", "region=sibling_county&year=2025"),
]


def _args(world, ids):
    return [getattr(world, name).pk for name in ids.split(",")]


@pytest.mark.parametrize(("method", "name", "ids"), WALK, ids=[f"{n}-{i}" for _m, n, i in WALK])
def test_a_county_user_cannot_reach_the_sibling_county(client, sibling, method, name, ids):
    client.force_login(sibling.users["county"])
    response = getattr(client, method)(reverse(name, args=_args(sibling, ids)))
    assert response.status_code == 404, response.get("Content-Disposition", response.content[:200])


@pytest.mark.parametrize(("name", "query"), QUERY, ids=[n for n, _q in QUERY])
def test_a_county_user_cannot_query_the_sibling_county(client, sibling, name, query):
    client.force_login(sibling.users["county"])
    key, value = query.split("&")[0].split("=")
    query = query.replace(f"{key}={value}", f"{key}={getattr(sibling, value).pk}")
    assert client.get(f"{reverse(name)}?{query}").status_code == 404


# The sibling county's target measured in the county user's own county: no such page at all.
NOWHERE = {
    ("talent_target", "sibling_target,county"),
    ("talent_target_export", "sibling_target,county"),
}


@pytest.mark.parametrize(
    ("name", "ids"),
    [(n, i) for m, n, i in WALK if m == "get" and (n, i) not in NOWHERE],
    ids=[f"{n}-{i}" for m, n, i in WALK if m == "get" and (n, i) not in NOWHERE],
)
def test_the_city_above_both_reaches_them(client, sibling, name, ids):
    """The control: the same ids are there for the city, so the 404s above are the scope's."""
    client.force_login(sibling.users["city"])
    assert client.get(reverse(name, args=_args(sibling, ids))).status_code in (200, 503)


def _app_patterns():
    """(url name, its parameters) of every URL of the apps that takes one (pages and API)."""
    found = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = pattern.callback.__module__.split(".")[0]
                params = set(pattern.pattern.regex.groupindex) - {"format"}
                if module in APPS and params:
                    found.append((pattern.name, sorted(params)))

    walk(get_resolver().url_patterns)
    return found


def test_every_url_with_an_id_is_walked():
    walked = {name for _m, name, _i in WALK}
    public = {"honours_verify"}  # a verification code: public by design
    missing = {name for name, _params in _app_patterns() if name not in walked | public}
    assert missing == set()
    assert len({name for name, _p in _app_patterns()}) >= 35  # it found the pages and the API


# An export answers as its page, for every role, on every combination of ids.
PAIRS = [
    ("talent_target", "talent_target_export", "target"),
    ("training_region", "training_behind_export", None),
    ("pay_region", "pay_export", None),
]
TARGETS = ["target", "sibling_target", "far_target"]
REGIONS = ["province", "city", "other_city", "county", "sibling_county", "far_county"]
ROLES = ["province", "city", "county", "school", "teacher"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "export", "first"), PAIRS, ids=[p[1] for p in PAIRS])
def test_an_export_answers_as_its_page(client, sibling, role, page, export, first):
    client.force_login(sibling.users[role])
    firsts = TARGETS if first else [None]
    differ = []
    for one in firsts:
        for region in REGIONS:
            args = ([getattr(sibling, one).pk] if one else []) + [getattr(sibling, region).pk]
            shown = client.get(reverse(page, args=args)).status_code
            exported = client.get(reverse(export, args=args))
            if (shown == 200) != (exported.status_code == 200):
                differ.append((one, region, shown, exported.status_code))
    assert differ == []
