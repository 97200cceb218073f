"""A region may not set its training requirement below the rule set in force above it
(POLICY §2): the per-cycle requirement, the yearly ethics hours, the county-or-above minimum
and the principals' requirements are floored by the ancestors' rule set, compared through
the rule sets' credit conversions when their units differ. The province is free."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from training import presets, rules, services
from training.models import RuleSet

TODAY = date(2026, 11, 23)
MODES = ("face_to_face", "online", "degree", "practice")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def rule(unit="hours", per_credit=None, **figures):
    base = {
        "required_per_cycle": D(360),
        "ethics_per_year": D(24),
        "min_county_or_above": D(0),
        "principal_first_year": D(300),
        "principal_per_cycle": D(360),
    }
    base.update({k: (None if v is None else D(v)) for k, v in figures.items()})
    return rules.Rule(
        unit=unit,
        cycle_years=5,
        cycle_start_year=2021,
        hours_per_credit=per_credit or {},
        **base,
    )


ZJ = {"face_to_face": D(6), "online": D(8), "degree": D(20), "practice": D(6)}

# (child, parent, fields refused)
TABLE = [
    # Same unit: equal is allowed, one below is refused, field by field.
    (rule(), rule(), set()),
    (rule(required_per_cycle=359), rule(), {"required_per_cycle"}),
    (rule(required_per_cycle="359.9"), rule(), {"required_per_cycle"}),
    (rule(required_per_cycle=400), rule(), set()),
    (rule(ethics_per_year=0), rule(), {"ethics_per_year"}),
    (rule(ethics_per_year=23), rule(), {"ethics_per_year"}),
    (rule(min_county_or_above=179), rule(min_county_or_above=180), {"min_county_or_above"}),
    (rule(min_county_or_above=180), rule(min_county_or_above=180), set()),
    (rule(principal_first_year=299), rule(), {"principal_first_year"}),
    (rule(principal_per_cycle=359), rule(), {"principal_per_cycle"}),
    # No separate principal figure: the principals' requirement is the cycle's.
    (rule(principal_per_cycle=None), rule(), set()),
    (
        rule(principal_per_cycle=None),
        rule(principal_per_cycle=400),
        {"principal_per_cycle"},
    ),
    (rule(principal_per_cycle=None, required_per_cycle=400), rule(principal_per_cycle=400), set()),
    (rule(principal_per_cycle=350), rule(principal_per_cycle=None, required_per_cycle=350), set()),
    # The F8 attempt.
    (
        rule(required_per_cycle=1, ethics_per_year=0),
        rule(),
        {"required_per_cycle", "ethics_per_year"},
    ),
    # Credits under hours: a credit is worth at least the fewest hours any mode asks for
    # (6), so 60 credits guarantee 360 hours; 59.9 do not.
    (
        rule(
            "credits",
            ZJ,
            required_per_cycle=60,
            ethics_per_year=4,
            principal_first_year=50,
            principal_per_cycle=60,
        ),
        rule(),
        set(),
    ),
    (
        rule(
            "credits",
            ZJ,
            required_per_cycle="59.9",
            ethics_per_year=4,
            principal_first_year=50,
            principal_per_cycle=60,
        ),
        rule(),
        {"required_per_cycle"},
    ),
    (
        rule(
            "credits",
            ZJ,
            required_per_cycle=60,
            ethics_per_year="3.9",
            principal_first_year=50,
            principal_per_cycle=60,
        ),
        rule(),
        {"ethics_per_year"},
    ),
    (rule("credits", ZJ), rule(), set()),  # the Zhejiang preset under the Ningxia hours
    # Hours under credits: an hour is worth at most 1/20 of a credit (degree study), so 360
    # credits need 7200 hours.
    (
        rule(
            required_per_cycle=7200,
            ethics_per_year=480,
            principal_first_year=6000,
            principal_per_cycle=7200,
        ),
        rule("credits", ZJ),
        set(),
    ),
    (
        rule(
            required_per_cycle=7199,
            ethics_per_year=480,
            principal_first_year=6000,
            principal_per_cycle=7200,
        ),
        rule("credits", ZJ),
        {"required_per_cycle"},
    ),
    # Credits under credits with another conversion: compared mode by mode.
    (rule("credits", {"default": D(20)}), rule("credits", ZJ), set()),
    # A credit of 8 hours everywhere is less than the parent's credit of degree study (20).
    (
        rule("credits", {"default": D(8)}),
        rule("credits", ZJ),
        {"required_per_cycle", "ethics_per_year", "principal_first_year", "principal_per_cycle"},
    ),
    (
        rule("credits", {**ZJ, "degree": D(19)}),
        rule("credits", ZJ),
        {"required_per_cycle", "ethics_per_year", "principal_first_year", "principal_per_cycle"},
    ),
]


@pytest.mark.parametrize(("child", "parent", "refused"), TABLE)
def test_floor_table(child, parent, refused):
    shortfalls = rules.floor_shortfalls(child, parent, modes=MODES)
    assert {s.field for s in shortfalls} == refused


def test_the_floor_is_given_in_the_childs_unit():
    (shortfall,) = rules.floor_shortfalls(
        rule(
            "credits",
            ZJ,
            required_per_cycle=59,
            ethics_per_year=4,
            principal_first_year=50,
            principal_per_cycle=60,
        ),
        rule(),
        modes=MODES,
    )
    assert (shortfall.parent_figure, shortfall.floor) == (D(360), D(60))


# --- Through the service and the page -------------------------------------------------------


def ningxia(**fields):
    return {**presets.preset_fields("ningxia"), "name": "县规则", **fields}


def test_a_county_cannot_go_below_the_province(world):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.rule_set_create(
            backdate=True,
            region=world.county,
            effective_from=date(2026, 1, 1),
            **ningxia(required_per_cycle=D(1), ethics_per_year=D(0)),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"required_per_cycle", "ethics_per_year"}
    assert world.province.name in errors["required_per_cycle"][0]
    assert "360" in errors["required_per_cycle"][0]
    assert "24" in errors["ethics_per_year"][0]
    assert not RuleSet.objects.filter(region=world.county).exists()


def test_exactly_the_province_figures_are_allowed(world):
    services.rule_set_create(
        backdate=True, region=world.county, effective_from=date(2026, 1, 1), **ningxia()
    )


def test_the_nearest_ancestor_in_force_on_the_effective_date_sets_the_floor(world):
    services.rule_set_create(
        backdate=True,
        region=world.city,
        effective_from=date(2026, 1, 1),
        **ningxia(name="市规则", required_per_cycle=D(400)),
    )
    # From 2026 the city's 400 is the floor …
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.rule_set_create(
            backdate=True,
            region=world.county,
            effective_from=date(2026, 6, 1),
            **ningxia(required_per_cycle=D(380)),
        )
    message = caught.value.message_dict["required_per_cycle"][0]
    assert world.city.name in message and "400" in message
    services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2026, 1, 1),
        **ningxia(required_per_cycle=D(400)),
    )
    # … before it the province's 360, for a county rule set its own 2026 one replaces.
    services.rule_set_create(
        backdate=True,
        region=world.county,
        effective_from=date(2025, 1, 1),
        **ningxia(required_per_cycle=D(380)),
    )


def test_a_county_rule_set_also_answers_to_the_later_rule_sets_above_it_overrides(world):
    """A county rule set outranks every rule set above it from its date on, so one dated
    before the city's would override the city's too: it is floored by both."""
    services.rule_set_create(
        backdate=True,
        region=world.city,
        effective_from=date(2026, 1, 1),
        **ningxia(name="市规则", required_per_cycle=D(400)),
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.rule_set_create(
            backdate=True,
            region=world.county,
            effective_from=date(2025, 1, 1),
            **ningxia(required_per_cycle=D(380)),
        )
    assert world.city.name in caught.value.message_dict["required_per_cycle"][0]


def test_backdating_before_the_province_does_not_escape_the_floor(world):
    """A county rule set dated before any rule set above it would outrank them all from
    then on: every rule set above that takes effect while it is the county's latest floors it."""
    with pytest.raises(ValidationError):
        services.rule_set_create(
            backdate=True,
            region=world.county,
            effective_from=date(2000, 1, 1),
            **ningxia(ethics_per_year=D(0)),
        )


def test_the_province_is_free(world):
    services.rule_set_create(
        backdate=True,
        region=world.province,
        effective_from=date(2026, 1, 1),
        **ningxia(required_per_cycle=D(100), ethics_per_year=D(0)),
    )


def test_the_rules_page_shows_the_floor_next_to_the_field(client, world):
    client.force_login(world.users["county"])
    fields = {k: ("" if v is None else v) for k, v in ningxia().items()}
    fields.update(
        effective_from="2026-01-01",
        hours_per_credit="{}",
        category_caps="{}",
        required_per_cycle="1",
        ethics_per_year="0",
    )
    with translation.override("zh-hans"):
        response = client.post(reverse("training_rules"), fields)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"required_per_cycle", "ethics_per_year"} <= set(errors)
    assert not RuleSet.objects.filter(region=world.county).exists()


def test_the_admin_shows_the_floor_instead_of_crashing(client, world):
    client.force_login(world.users["superuser"])
    fields = {k: ("" if v is None else v) for k, v in ningxia().items()}
    fields.update(
        region=world.county.pk,
        effective_from="2026-01-01",
        hours_per_credit="{}",
        category_caps="{}",
        ethics_per_year="0",
    )
    response = client.post(reverse("admin:training_ruleset_add"), fields)
    assert response.status_code == 200
    assert "ethics_per_year" in response.context["adminform"].form.errors
    assert not RuleSet.objects.filter(region=world.county).exists()


def test_the_preset_command_reports_the_floor_instead_of_a_traceback(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="24"):
        call_command("load_rule_set", "jiangsu", region=world.county.code)
    assert not RuleSet.objects.filter(region=world.county).exists()
