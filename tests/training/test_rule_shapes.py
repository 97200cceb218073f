"""Every JSONField a bureau writes has one exact shape, checked by the model's validators
(so by ``full_clean`` in the services and by every ModelForm: the portal's forms and the
admin). A bad value is refused with a message naming the field, and nothing is saved.
A bad value already stored (written before the validators, or behind their back) does not
take a page down, and the nightly recompute skips only the region it governs."""

import logging
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from talent.models import Programme, Target, Tier
from training import presets, services
from training.models import RuleSet, TrainingSummary

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def ningxia(**fields):
    return {**presets.preset_fields("ningxia"), **fields}


# --- Rule sets ------------------------------------------------------------------------------

BAD_HOURS_PER_CREDIT = [
    1,
    "6",
    [6],
    {"face_to_face": "x"},
    {"face_to_face": -6},
    {"face_to_face": 0},
    {"face_to_face": True},
    {"face_to_face": None},
    {"face_to_face": [6]},
    {"face_to_face": {"a": 1}},
    {"face_to_face": "NaN"},
    {"face_to_face": "Infinity"},
    {"face_to_face": 1e9},
    {"walking": 6},
    {"": 6},
]
BAD_CATEGORY_CAPS = [
    1,
    "60",
    [60],
    {"degree": "sixty"},
    {"degree": -1},
    {"degree": False},
    {"degree": None},
    {"degree": "-Infinity"},
    {"degree": 10**9},
    {"cooking": 60},
]


@pytest.mark.parametrize(
    ("field", "value"),
    [("hours_per_credit", v) for v in BAD_HOURS_PER_CREDIT]
    + [("category_caps", v) for v in BAD_CATEGORY_CAPS],
)
def test_a_rule_set_with_a_bad_shape_is_refused_by_the_service(world, field, value):
    before = RuleSet.objects.count()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.rule_set_create(
            backdate=True,
            region=world.county,
            effective_from=date(2026, 1, 1),
            **ningxia(**{field: value}),
        )
    assert field in caught.value.message_dict
    label = {"hours_per_credit": "每学分折合学时", "category_caps": "各类别上限"}[field]
    assert any(label in message for message in caught.value.message_dict[field])
    assert RuleSet.objects.count() == before


def test_credits_need_a_conversion_for_every_mode(world):
    fields = {
        **presets.preset_fields("zhejiang-credits"),
        "hours_per_credit": {"online": 8},
        "ethics_per_year": 4,  # not below the province's 24 hours (F8)
        "ethics_week_days": 3,
    }
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.rule_set_create(
            backdate=True, region=world.county, effective_from=date(2026, 1, 1), **fields
        )
    assert "hours_per_credit" in caught.value.message_dict
    assert "face_to_face" in caught.value.message_dict["hours_per_credit"][0]
    fields["hours_per_credit"] = {"online": 8, "default": 6}
    services.rule_set_create(
        backdate=True, region=world.county, effective_from=date(2026, 1, 1), **fields
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hours_per_credit", {"face_to_face": 6, "online": "8", "default": 6.5}),
        ("category_caps", {"degree": 60, "platform": "90.5", "ethics": 0}),
        ("hours_per_credit", {}),
        ("category_caps", {}),
    ],
)
def test_good_shapes_are_accepted(world, field, value):
    rule_set = services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2026, 1, 1),
        **ningxia(**{field: value}),
    )
    assert rule_set.as_rule()


def test_every_preset_passes_its_own_validation(world):
    for index, name in enumerate(sorted(presets.presets())):
        fields = presets.preset_fields(name)
        fields.update(ethics_per_year=max(fields["ethics_per_year"], 24))  # the province's floor
        rule_set = RuleSet(region=world.county, effective_from=date(2026, 1, 1 + index), **fields)
        rule_set.full_clean()


def rule_form(**changes):
    fields = {k: ("" if v is None else v) for k, v in ningxia().items()}
    fields.update(name="鹿城区规则", effective_from="2026-01-01")
    fields.update({"hours_per_credit": "{}", "category_caps": "{}", **changes})
    return fields


@pytest.mark.parametrize(
    "changes",
    [
        {"hours_per_credit": "1"},
        {"hours_per_credit": '{"face_to_face": "x"}'},
        {"category_caps": '["degree"]'},
        {"category_caps": '{"degree": -5}'},
    ],
)
def test_the_rules_page_refuses_a_bad_shape_and_saves_nothing(client, world, changes):
    client.force_login(world.users["county"])
    with translation.override("zh-hans"):
        response = client.post(reverse("training_rules"), rule_form(**changes))
    assert response.status_code == 200
    field = next(iter(changes))
    assert field in response.context["form"].errors
    assert not RuleSet.objects.filter(region=world.county).exists()


def test_the_admin_refuses_a_bad_rule_set_shape(client, world):
    client.force_login(world.users["superuser"])
    data = rule_form(hours_per_credit="1")
    data["region"] = world.county.pk
    response = client.post(reverse("admin:training_ruleset_add"), data)
    assert response.status_code == 200
    assert "hours_per_credit" in response.context["adminform"].form.errors
    assert not RuleSet.objects.filter(region=world.county).exists()


# --- Talent: programmes, tiers, targets ----------------------------------------------------

BAD_STAGES = [
    1,
    "primary",
    {"primary": True},
    ["kindergarten"],
    [1],
    [None],
    ["primary", "primary"],
    [["primary"]],
]
BAD_RESERVED_SHARES = [
    1,
    "0.2",
    [0.2],
    {"mountain_island": "lots"},
    {"mountain_island": -0.1},
    {"mountain_island": 1.5},
    {"mountain_island": True},
    {"mountain_island": None},
    {"mountain_island": "NaN"},
    {"mountain_island": 0.6, "weak_rural": 0.5},  # more than every place
    {"everyone": 0.2},
]
BAD_RUN_BY_STAGE = [
    1,
    "city",
    ["city"],
    {"primary": "village"},
    {"primary": 3},
    {"primary": None},
    {"kindergarten": "city"},
    {"primary": ["city"]},
]


def programme(world, **fields):
    tier = Tier.objects.get(region=world.city, code="city-famous-teacher")
    return Programme(
        name="市级培养",
        region=world.city,
        tier=tier,
        window_start=date(2024, 1, 1),
        window_end=date(2025, 12, 31),
        **fields,
    )


def target(world, **fields):
    return Target(
        plan="温州 2025",
        name="骨干占比",
        region=world.city,
        kind="share",
        figure="0.2",
        plan_start=date(2021, 1, 1),
        deadline=date(2025, 12, 31),
        **fields,
    )


def tier(world, **fields):
    return Tier(
        ladder="local",
        code="local-1",
        name="本地骨干",
        level="city",
        rank=1,
        region=world.city,
        **fields,
    )


LABELS = {
    "stages": "学段",
    "reserved_shares": "定向名额比例",
    "run_by_stage": "按学段划分的培养主体",
}


@pytest.mark.parametrize(
    ("build", "field", "value"),
    [(programme, "stages", v) for v in BAD_STAGES]
    + [(target, "stages", v) for v in BAD_STAGES]
    + [(programme, "reserved_shares", v) for v in BAD_RESERVED_SHARES]
    + [(tier, "run_by_stage", v) for v in BAD_RUN_BY_STAGE],
)
def test_a_talent_json_field_with_a_bad_shape_is_refused(world, build, field, value):
    row = build(world, **{field: value})
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert field in caught.value.message_dict
    assert any(LABELS[field] in m for m in caught.value.message_dict[field])


@pytest.mark.parametrize(
    ("build", "field", "value"),
    [
        (programme, "stages", ["primary", "junior"]),
        (target, "stages", ["primary", "junior"]),
        (programme, "reserved_shares", {"mountain_island": 0.233, "weak_rural": "0.382"}),
        (tier, "run_by_stage", {"senior": "city", "primary": "county"}),
    ],
)
def test_good_talent_shapes_are_accepted(world, build, field, value):
    build(world, **{field: value}).full_clean()


def test_the_admin_refuses_reserved_shares_that_are_not_a_mapping(client, world):
    client.force_login(world.users["superuser"])
    tier_ = Tier.objects.get(region=world.city, code="city-famous-teacher")
    data = {
        "name": "鹿城区名师培养",
        "region": world.county.pk,
        "tier": tier_.pk,
        "window_start": "2024-01-01",
        "window_end": "2025-12-31",
        "stages": "[]",
        "reserved_shares": "1",
    }
    response = client.post(reverse("admin:talent_programme_add"), data)
    assert response.status_code == 200
    assert "reserved_shares" in response.context["adminform"].form.errors
    assert not Programme.objects.filter(name="鹿城区名师培养").exists()


def test_a_programme_with_bad_stages_is_refused_not_crashed_by_the_division_check(world):
    """``Programme.clean`` reads the stages and the tier's per-stage runners: a bad shape
    there is a field error, not an exception."""
    row = programme(world, stages=1)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "stages" in caught.value.message_dict
    broken = Tier.objects.get(region=world.city, code="city-famous-teacher")
    Tier.objects.filter(pk=broken.pk).update(run_by_stage=1)
    with pytest.raises(ValidationError):
        programme(world, stages=["primary"]).full_clean()


# --- A bad value already stored ------------------------------------------------------------


@pytest.fixture
def broken_county(world):
    """The county's own rule set, valid when written, then broken behind the validators'
    back (an old row, a manual fix in the database)."""
    rule_set = services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2021, 1, 1),
        **ningxia(name="鹿城区规则"),
    )
    RuleSet.objects.filter(pk=rule_set.pk).update(hours_per_credit=1, unit="credits")
    return rule_set


def test_the_nightly_recompute_skips_only_the_broken_region(world, broken_county, caplog):
    TrainingSummary.objects.all().delete()
    with caplog.at_level(logging.ERROR, logger="training"):
        services.summaries_recompute(as_of=TODAY)
    written = set(TrainingSummary.objects.values_list("teacher_id", flat=True))
    assert {world.neighbour_teacher.pk, world.far_teacher.pk} <= written
    in_county = {world.teacher.pk, world.colleague.pk, world.sibling_teacher.pk}
    assert not in_county & written
    assert any(str(broken_county.pk) in r.getMessage() for r in caplog.records)


def test_the_recompute_command_still_succeeds(world, broken_county):
    call_command("recompute_training", as_of=TODAY)
    assert TrainingSummary.objects.filter(teacher=world.far_teacher).exists()


def test_the_recompute_of_a_few_teachers_skips_the_broken_ones(world, broken_county):
    services.summary_refresh(teacher_ids=[world.teacher.pk, world.far_teacher.pk], as_of=TODAY)
    assert TrainingSummary.objects.filter(teacher=world.far_teacher).exists()


def test_pages_of_a_broken_region_answer_without_crashing(client, world, broken_county):
    client.force_login(world.users["teacher"])
    page = client.get(reverse("my_training"))
    assert page.status_code == 200
    assert page.context["broken_rule_set"]
    assert client.get(reverse("my_transcript")).status_code == 404
    client.force_login(world.users["county"])
    assert client.get(reverse("training_teacher", args=[world.colleague.pk])).status_code == 200
    assert client.get(reverse("training_rules")).status_code == 200
    api = APIClient()
    api.force_authenticate(world.users["county"])
    assert api.get(f"/api/v1/training/compliance/{world.colleague.pk}/").status_code == 404
    api.force_authenticate(world.users["teacher"])
    assert api.get("/api/v1/me/training/").status_code == 404


@pytest.mark.postgres
def test_the_nightly_sql_recompute_skips_only_the_broken_region(world, broken_county):
    TrainingSummary.objects.all().delete()
    services.summaries_recompute(as_of=TODAY)
    written = set(TrainingSummary.objects.values_list("teacher_id", flat=True))
    assert {world.neighbour_teacher.pk, world.far_teacher.pk} <= written
    assert world.teacher.pk not in written and world.sibling_teacher.pk not in written


def test_the_attainment_recompute_skips_a_target_with_broken_stages(world):
    from talent import services as talent
    from talent.models import Attainment

    broken, *others = list(Target.objects.filter(region=world.city).order_by("pk"))
    Target.objects.filter(pk=broken.pk).update(stages=1)
    Attainment.objects.all().delete()
    talent.attainment_recompute(on=date(2024, 6, 1))
    assert not Attainment.objects.filter(target=broken).exists()
    assert Attainment.objects.filter(target__in=others).exists()


def test_the_shipped_talent_presets_pass_their_own_validation(world):
    """The Wenzhou ladder (loaded by the world) and its targets and programme are valid."""
    for row in [*Tier.objects.all(), *Target.objects.all(), *Programme.objects.all()]:
        row.full_clean()
