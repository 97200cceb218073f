"""What the second attack found on rule sets (issue 13 review): every value a bureau can set
is held in range and to the floor of the region above, from both sides, on every door; a
rule set that cannot be read stops no page and no other region's recompute."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Teacher
from training import presets, selectors, services
from training.models import RuleSet, TrainingSummary

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def county_fields(**changes):
    fields = {**presets.preset_fields("ningxia"), "name": "县规则"}
    fields.update(changes)
    return fields


def create(world, region=None, effective_from=date(2027, 1, 1), **changes):
    return services.rule_set_create(
        region=region or world.county, effective_from=effective_from, **county_fields(**changes)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cycle_years", 9000),
        ("cycle_years", 0),
        ("cycle_start_year", 1900),
        ("cycle_start_year", 9999),
        ("item_cap", Decimal(-50)),
        ("usual_per_year", Decimal(0)),
        ("usual_per_year", Decimal(99999)),  # more than the whole cycle in a year
        ("required_per_cycle", Decimal(0)),
        ("ethics_per_year", Decimal(-1)),
        ("min_per_year", Decimal(-1)),
        ("autumn_term_month", 13),
        ("autumn_term_day", 31),
    ],
)
def test_out_of_range_values_are_refused(world, field, value):
    with pytest.raises(ValidationError) as caught:
        create(world, region=world.province, **{field: value})
    assert field in caught.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cycle_years", 10),  # 360 per ten years under 360 per five
        ("usual_per_year", Decimal(300)),  # nobody at risk: 300 a year where 108 is usual
        ("ethics_week_days", 0),  # the province asks 3
        ("cycle_start_year", 2024),  # cycles that do not line up with the province's
    ],
)
def test_a_region_may_not_be_more_lenient_than_the_one_above(world, field, value):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        create(world, **{field: value})
    assert "浙江省" in caught.value.message_dict[field][0]


def test_lenient_switches_are_held_to_the_floor_too(world):
    RuleSet.objects.filter(pk=world.rule_set.pk).update(
        missed_share_voids=Decimal("0.2"), entry_year_counts=True
    )
    with pytest.raises(ValidationError) as caught:
        create(world, missed_share_voids=None, entry_year_counts=False)
    assert {"missed_share_voids", "entry_year_counts"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError):
        create(world, missed_share_voids=Decimal("0.3"), entry_year_counts=True)
    assert create(world, missed_share_voids=Decimal("0.1"), entry_year_counts=True)


def test_a_region_above_may_not_be_undercut_by_a_rule_set_below_that_outranks_it(world):
    create(world, effective_from=date(2031, 1, 1))  # 360 hours, like the province today
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        create(
            world,
            region=world.province,
            effective_from=date(2032, 1, 1),
            required_per_cycle=Decimal(400),
        )
    assert "鹿城区" in " ".join(caught.value.messages)
    assert selectors.rule_set_for(world.county, date(2032, 6, 1)).required_per_cycle == 360


def test_a_new_version_starts_today_or_later_on_the_page(client, world):
    client.force_login(world.users["county"])
    fields = {k: ("" if v is None else v) for k, v in county_fields().items()}
    fields.update(
        effective_from="2021-01-01",
        hours_per_credit="{}",
        category_caps="{}",
        year_category_caps="{}",
    )
    response = client.post(reverse("training_rules"), fields)
    assert response.status_code == 200
    assert "effective_from" in response.context["form"].errors
    fields["effective_from"] = TODAY.isoformat()
    assert client.post(reverse("training_rules"), fields).status_code == 302


@pytest.mark.parametrize(
    "value",
    ["[" * 100_000, '{"degree": ' + "9" * 5000 + "}", '{"degree": 1e999}', "x" * 30_000],
)
def test_malformed_json_is_a_form_error_not_a_server_error(client, world, value):
    client.force_login(world.users["county"])
    fields = {k: ("" if v is None else v) for k, v in county_fields().items()}
    fields.update(
        effective_from="2027-01-01",
        hours_per_credit="{}",
        category_caps="{}",
        year_category_caps=value,
    )
    with translation.override("zh-hans"):
        response = client.post(reverse("training_rules"), fields)
    assert response.status_code == 200
    errors = response.context["form"].errors["year_category_caps"]
    assert errors and "不能是数字" not in errors[0]


def test_a_rule_set_that_cannot_be_read_stops_no_page_and_no_other_region(world, caplog):
    create(world, effective_from=TODAY)
    RuleSet.objects.filter(region=world.county).update(cycle_years=9000)  # behind the forms
    TrainingSummary.objects.all().delete()
    services.summaries_recompute(as_of=TODAY)
    assert not TrainingSummary.objects.filter(teacher__school__county=world.county).exists()
    assert TrainingSummary.objects.filter(teacher=world.neighbour_teacher).exists()
    assert "cannot be read" in caplog.text
    with pytest.raises(selectors.NoRuleSet):
        selectors.teacher_training(Teacher.objects.get(pk=world.teacher.pk), as_of=TODAY)


# --- Records: the same limits on every door; a course's figures are the course's ------------


def api(world, role="school"):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users[role])
    return client


def test_the_api_holds_hours_to_the_range_of_every_other_door(world):
    body = {
        "teacher": world.colleague.pk,
        "description": "x",
        "hours": "99999.9",
        "completed_on": "2026-10-01",
        "level": "national",
        "category": "ethics",
    }
    response = api(world).post("/api/v1/training/records/", body, format="json")
    assert response.status_code == 400 and "hours" in response.json()
    with pytest.raises(ValidationError):
        services.record_create(
            teacher=world.colleague,
            hours=Decimal("500.1"),
            completed_on=date(2026, 10, 1),
            level="county",
            category="subject",
            source="staff",
            description="x",
        )


def test_a_course_credit_takes_the_course_figures_whatever_the_door_sends(world):
    body = {
        "teacher": world.colleague.pk,
        "course": world.course.pk,  # 24 hours of city-level subject study from 2026-03-01
        "hours": "24",
        "level": "national",
        "category": "ethics",
        "completed_on": "2026-03-03",
    }
    response = api(world).post("/api/v1/training/records/", body, format="json")
    assert response.status_code == 201, response.content
    record = response.json()
    assert (record["level"], record["category"]) == ("city", "subject")
    for changes, field in (
        ({"hours": "300"}, "hours"),
        ({"completed_on": "2021-01-05"}, "completed_on"),
    ):
        response = api(world).post(
            "/api/v1/training/records/",
            {**body, **changes, "teacher": world.teacher.pk},
            format="json",
        )
        assert response.status_code == 400 and field in response.json(), response.content


def test_approval_checks_the_provider_again(world):
    from training.models import Provider, TrainingRecord

    provider = Provider.objects.create(name="某机构", region=world.city, qualified=True)
    world.course.provider = provider
    world.course.save()
    record = services.record_create(
        teacher=world.colleague,
        course=world.course,
        hours=24,
        completed_on=date(2026, 3, 3),
        level="city",
        category="subject",
        source="self",
        actor=world.users["teacher"],
    )
    Provider.objects.filter(pk=provider.pk).update(qualified=False)
    approved = services.records_review(
        records=TrainingRecord.objects.filter(pk=record.pk),
        actor=world.users["school"],
        approve=True,
    )
    record.refresh_from_db()
    assert approved == 0
    assert record.status == "rejected" and "某机构" in record.reject_reason


def test_an_emptied_json_box_or_a_far_future_date_is_a_clear_refusal(client, world):
    """Re-check of round 3: an empty JSON box gave a 500, a rule set could start in 9999 and
    block the regions above for ever."""
    client.force_login(world.users["county"])
    fields = {k: ("" if v is None else v) for k, v in county_fields().items()}
    fields.update(
        effective_from="2027-01-01",
        hours_per_credit="",
        category_caps="null",
        year_category_caps="",
    )
    assert client.post(reverse("training_rules"), fields).status_code == 302
    fields.update(effective_from="9999-12-31")
    response = client.post(reverse("training_rules"), fields)
    assert response.status_code == 200 and "effective_from" in response.context["form"].errors


def test_the_admin_reports_what_the_service_refuses(client, world):
    client.force_login(world.users["superuser"])
    fields = {k: ("" if v is None else v) for k, v in county_fields().items()}
    fields.update(
        region=world.county.pk,
        effective_from="2021-01-01",
        hours_per_credit="null",
        category_caps="{}",
        year_category_caps="{}",
    )
    response = client.post(reverse("admin:training_ruleset_add"), fields)
    assert response.status_code == 200
    assert "effective_from" in response.context["adminform"].form.errors


def test_a_course_credit_long_after_the_course_or_missing_more_than_it_has_is_refused(world):
    for changes, field in (
        ({"completed_on": date(2026, 11, 1)}, "completed_on"),  # the course ended 2026-03-03
        ({"missed": 10}, "missed"),  # 24 attended + 10 missed > 24
    ):
        arguments = {
            "teacher": world.colleague,
            "course": world.course,
            "hours": 24,
            "completed_on": date(2026, 3, 3),
            "level": "city",
            "category": "subject",
            "source": "staff",
            **changes,
        }
        with pytest.raises(ValidationError) as caught:
            services.record_create(**arguments)
        assert field in caught.value.message_dict


def test_json_fields_share_the_apis_depth_guard():
    """The rule sets' JSON fields refuse a value nested deeper than the API accepts (one
    guard, ``portal.validators.too_deep``), not only one deep enough to crash the decoder."""
    import json

    from portal.validators import MAX_DEPTH, SafeJSONDecoder

    nested = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(json.JSONDecodeError):
        json.loads(nested, cls=SafeJSONDecoder)
    assert json.loads('{"degree": [1, [2]]}', cls=SafeJSONDecoder) == {"degree": [1, [2]]}
