"""The readings POLICY.md §8 settles, on the small world of the tests: the rural year on the
right tiers (N §2.7) and the senior-title check (N §2.8, Z); people, not titles, over the
right denominators; finished plans; selection places; county tiers."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import ImportJob, ServicePeriod, Teacher
from talent import presets, selectors, services
from talent.models import Attainment, Enrolment, Programme, TalentRule, Target, Tier

from .. import factories
from .test_ladder import ON, give, studios_and_rotations, wenzhou  # noqa: F401  (fixture)


def tiers_of(region):
    return {t.code: t for t in Tier.objects.filter(region=region)}


def programme_toward(tier, region, *, window_end=None, **fields):
    return Programme.objects.create(
        name=f"{tier.name}培养",
        region=region,
        tier=tier,
        window_start=date(2023, 1, 1),
        window_end=window_end or timezone.localdate() + timedelta(days=365),
        **fields,
    )


# --- A. The rural year (N §2.7) on the right tiers ------------------------------------------


def test_the_rural_year_sits_on_ningxia_special_teacher_only(world):
    presets.load("ningxia", region=world.province)
    ruled = {
        (t.ladder, t.code): t.rural_stages for t in Tier.objects.filter(rural_years_required__gt=0)
    }
    assert ruled == {("ningxia", "special-teacher"): ["primary", "junior"]}
    special = Tier.objects.get(region=world.province, code="special-teacher")
    assert (special.name, special.rural_years_required) == ("特级教师", 1)
    # The presets carry each rule set's title conditions.
    ningxia = TalentRule.objects.get(region=world.province)
    assert (ningxia.rural_years_required, ningxia.rural_stages) == (1, ["primary", "junior"])
    assert ningxia.principal_rural_years_preferred == 3
    wenzhou_rule = TalentRule.objects.get(region=world.city)
    assert wenzhou_rule.rural_years_required == 0
    assert (
        wenzhou_rule.outside_quota_intermediate_years,
        wenzhou_rule.outside_quota_senior_years,
    ) == (15, 30)


def test_the_data_migration_moves_the_rural_year(world):
    """Rows as the old presets wrote them: the rural year on 省特级教师, 正高级教师 and
    自治区骨干教师, no 特级教师 tier, no title conditions."""
    presets.load("ningxia", region=world.province)
    Tier.objects.filter(region=world.province, code="special-teacher").delete()
    TalentRule.objects.all().delete()
    Tier.objects.filter(
        code__in=["province-special", "province-professor", "region-backbone"]
    ).update(rural_years_required=1)
    rotation = Target.objects.filter(region=world.province, kind="rotation")
    rotation.update(rotation_years_at_school=None, rotation_years_to_retirement=None)
    migration = importlib.import_module("talent.migrations.0006_rural_year_on_the_right_tiers")
    migration.forwards(apps, None)
    assert not Tier.objects.filter(
        code__in=["province-special", "province-professor", "region-backbone"],
        rural_years_required__gt=0,
    ).exists()
    special = Tier.objects.get(region=world.province, code="special-teacher")
    assert (special.rural_years_required, special.rural_stages) == (1, ["primary", "junior"])
    assert special.prerequisite.code == "region-backbone"
    assert TalentRule.objects.get(region=world.province).rural_years_required == 1
    assert TalentRule.objects.get(region=world.city).outside_quota_senior_years == 30
    assert rotation.get().rotation_years_at_school == 6
    # Run again: nothing changes, nothing is duplicated.
    migration.forwards(apps, None)
    assert Tier.objects.filter(code="special-teacher").count() == 1


def rural_period(teacher, school, start, end):
    return ServicePeriod.objects.create(
        teacher=teacher, school=school, role="teacher", stage=teacher.stage, start=start, end=end
    )


def test_nominations_for_special_teacher_check_the_rural_year_of_compulsory_teachers(world):
    from django.utils import translation

    presets.load("ningxia", region=world.province)
    programme = programme_toward(tiers_of(world.province)["special-teacher"], world.province)
    today = timezone.localdate()
    with translation.override("en"):
        reasons = services.enrolment_refusals(programme=programme, teacher=world.teacher)
    assert len(reasons) == 1 and "365 days" in reasons[0]  # urban since 2010: 0 days
    # 364 days at a rural school (2020 is a leap year): still short; one more day: eligible.
    period = rural_period(world.teacher, world.sibling_school, date(2020, 1, 1), date(2020, 12, 29))
    assert services.enrolment_refusals(programme=programme, teacher=world.teacher, on=today)
    period.end = date(2020, 12, 30)
    period.save()
    assert services.enrolment_refusals(programme=programme, teacher=world.teacher) == []
    # The rural school's own teacher qualifies; a senior-high teacher needs no rural year.
    assert services.enrolment_refusals(programme=programme, teacher=world.sibling_teacher) == []
    high = factories.school(world.county, school_type="senior", name="鹿城区第一中学")
    senior = factories.teacher(high, name="周强", stage="senior")
    assert services.enrolment_refusals(programme=programme, teacher=senior) == []
    # Wenzhou's tiers carry no rural year (POLICY §8).
    wenzhou_special = programme_toward(tiers_of(world.city)["province-special"], world.city)
    assert services.enrolment_refusals(programme=wenzhou_special, teacher=world.teacher) == []


def test_the_senior_title_check_on_the_teacher_page(client, world):
    presets.load("ningxia", region=world.province)
    # The city's Wenzhou conditions apply in its counties: no rural year, registration bars.
    Teacher.objects.filter(pk=world.teacher.pk).update(registration="suspended")
    client.force_login(world.users["county"])
    page = client.get(f"/teachers/{world.teacher.pk}/").content.decode()
    assert 'data-senior-title="refused"' in page and "data-title-refusals" in page
    page = client.get(f"/teachers/{world.colleague.pk}/").content.decode()
    assert 'data-senior-title="may-apply"' in page
    assert "data-title-facts" in page  # the 15 / 30 rural years outside the quota
    # The other city has no conditions of its own: the province's Ningxia ones apply, and
    # its urban primary teacher has no rural year.
    found = selectors.senior_title_check(world.far_teacher, on=timezone.localdate())
    rule, check = found
    assert rule.region == world.province and not check.may_apply
    client.force_login(world.users["province"])
    page = client.get(f"/teachers/{world.far_teacher.pk}/").content.decode()
    assert 'data-senior-title="refused"' in page
    # A teacher sees their own check.
    client.force_login(world.users["teacher"])
    assert 'data-senior-title="refused"' in client.get("/me/").content.decode()


# --- B. People, not titles; the right denominators ------------------------------------------


def test_new_titles_count_people_not_titles(client, world):
    tiers = tiers_of(world.city)
    give(world.colleague, tiers["city-famous-teacher"], on=date(2023, 5, 1))
    give(world.colleague, tiers["city-famous-head-teacher"], on=date(2024, 2, 1))
    give(world.sibling_teacher, tiers["city-famous-principal"], on=date(2024, 3, 1))
    services.attainment_recompute(on=ON)
    target = Target.objects.get(region=world.city, name="新增市名校长名教师名班主任 500 名")
    snapshot = Attainment.objects.get(target=target, region=world.city, as_of=ON)
    assert snapshot.achieved == 2  # two people, three titles
    parts = {p["name"]: p["count"] for p in selectors.breakdown(target, world.city, ON)}
    assert parts["鹿城区"] == 2
    schools = {p["name"]: p["count"] for p in selectors.breakdown(target, world.county, ON)}
    assert schools[world.school.name] == 1


def test_backbone_shares_count_basic_education_teachers(world):
    presets.load("ningxia", region=world.province)
    tiers = tiers_of(world.province)
    vocational_school = factories.school(world.county, school_type="vocational", name="鹿城职校")
    vocational = factories.teacher(vocational_school, name="吴刚", stage="vocational")
    give(world.teacher, tiers["county-backbone"])
    give(vocational, tiers["county-backbone"])
    target = Target.objects.get(region=world.province, name__contains="县级骨干")

    def county_share():
        services.attainment_recompute(on=ON)
        snapshot = Attainment.objects.get(target=target, region=world.county, as_of=ON)
        return snapshot.achieved, snapshot.denominator

    assert county_share() == (1, 3)  # 中职 is not 基础教育专任教师 …
    target.include_vocational = True
    target.save()
    assert county_share() == (2, 4)  # … unless the bureau's target says so


def test_the_rotation_share_counts_teachers_eligible_to_rotate(world):
    presets.load("ningxia", region=world.province)
    newcomer = factories.teacher(world.school, name="郑新", started_teaching=date(2021, 9, 1))
    retiring = factories.teacher(
        world.school,
        name="钱老",
        id_number=factories.id_number(address=world.county.code, birth=date(1971, 3, 1)),
    )  # a woman retiring at 55 in 2026: within five years
    studios_and_rotations(world)
    for teacher in (newcomer, retiring):
        services_rotation(teacher, world.sibling_school, date(2024, 9, 1))
    services.attainment_recompute(on=ON.replace(month=10))
    rotation = Attainment.objects.get(
        target__name="每年交流轮岗教师不低于 10%", region=world.county, as_of=ON.replace(month=10)
    )
    # Eligible in 鹿城区: 林晓, 陈明, 王芳 (six years at their school, far from retirement);
    # of them 林晓 and 王芳 rotated this year. The newcomer and 钱老 count in neither.
    assert (rotation.achieved, rotation.denominator) == (2, 3)
    target = rotation.target
    target.rotation_years_at_school = target.rotation_years_to_retirement = None
    target.save()
    services.attainment_recompute(on=ON.replace(month=10))
    rotation = Attainment.objects.get(target=target, region=world.county, as_of=rotation.as_of)
    assert (rotation.achieved, rotation.denominator) == (4, 5)


def services_rotation(teacher, to_school, start):
    from talent.models import Rotation

    return Rotation.objects.create(
        teacher=teacher, from_school=teacher.school, to_school=to_school, start=start
    )


# --- C. Finished plans ----------------------------------------------------------------------


def test_a_target_past_its_deadline_shows_its_final_result(client, world):
    tiers = tiers_of(world.city)
    deadline = date(2025, 12, 31)
    title = give(world.colleague, tiers["city-famous-teacher"], on=date(2024, 1, 1))
    services.attainment_recompute(on=deadline)
    famous = Target.objects.get(region=world.city, name="新增市名校长名教师名班主任 500 名")
    on_the_day = Attainment.objects.get(target=famous, region=world.city, as_of=deadline)
    assert (on_the_day.achieved, on_the_day.status) == (1, "behind")
    # After the deadline: the figure on the deadline stays, judged once and for all.
    services.title_revoke(title=title, actor=None, reason="撤销", on=date(2026, 2, 1))
    services.attainment_recompute(on=date(2026, 3, 1))
    assert not Attainment.objects.filter(as_of__gt=deadline).exists()
    on_the_day.refresh_from_db()
    assert (on_the_day.achieved, on_the_day.status) == (1, "missed")
    # A target the job did not measure on its deadline is measured as of that day.
    small = Target.objects.create(
        plan="测试计划",
        name="新增名师 1 名",
        region=world.city,
        kind="new_titles",
        figure=1,
        plan_start=date(2022, 1, 1),
        deadline=date(2024, 1, 31),
    )
    small.tiers.set([tiers["city-famous-teacher"]])
    services.attainment_recompute(on=date(2026, 3, 1))
    final = Attainment.objects.get(target=small, region=world.city)
    assert (final.as_of, final.achieved, final.status) == (date(2024, 1, 31), 1, "met")
    statuses = set(
        Attainment.objects.filter(
            target__deadline__lt=date(2026, 3, 1), as_of__gte=deadline
        ).values_list("status", flat=True)
    )
    assert statuses <= {"met", "missed"}
    client.force_login(world.users["city"])
    page = client.get(f"/talent/regions/{world.city.pk}/").content.decode()
    assert "status-missed" in page and "status-met" in page


def test_a_programme_past_its_window_refuses_every_door(client, world, wenzhou):  # noqa: F811
    tiers, programme = wenzhou
    give(world.colleague, tiers["jiaotan-xinxiu"])
    programme.window_end = timezone.localdate() - timedelta(days=1)
    programme.save()
    county = world.users["county"]
    # The service (and the admin form, which asks it).
    with pytest.raises(ValidationError) as caught:
        services.enrolment_nominate(programme=programme, teacher=world.colleague, actor=county)
    assert programme.window_end.isoformat() in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.enrolments_nominate_eligible(
            programme=programme, teachers=Teacher.objects.all(), actor=county
        )
    # The page: by ID numbers, a whole county, a file.
    client.force_login(county)
    url = f"/talent/programmes/{programme.pk}/"
    for data in (
        {"id_numbers": world.colleague.reveal_id_number()},
        {"county": world.county.pk},
        {"file": SimpleUploadedFile("名单.csv", b"x")},
    ):
        response = client.post(url, data, follow=True)
        shown = [str(m) for m in response.context["messages"]]
        assert any(programme.window_end.isoformat() in m for m in shown), shown
    # The import, through the API: refused before anything is stored.
    api = APIClient()
    api.force_authenticate(county)
    data = f"身份证号,姓名\n{world.colleague.reveal_id_number()},{world.colleague.name}\n"
    made = api.post(
        "/api/v1/imports/",
        {
            "file": SimpleUploadedFile("a.csv", data.encode("utf-8-sig")),
            "kind": "nomination",
            "options": f'{{"programme": {programme.pk}}}',
        },
        format="multipart",
    )
    assert made.status_code == 400
    assert programme.window_end.isoformat() in str(made.json())
    assert not ImportJob.objects.filter(kind="nomination").exists()
    assert not Enrolment.objects.filter(programme=programme).exclude(teacher=world.teacher).exists()


def test_the_province_page_lists_its_cities_plans(client, world):
    client.force_login(world.users["province"])
    page = client.get(f"/talent/regions/{world.province.pk}/").content.decode()
    assert "data-plans-below" in page
    assert "新增市新锐教师 2000 名" in page
    target = Target.objects.get(region=world.city, name="新增市新锐教师 2000 名")
    assert f'data-plan-below="{target.pk}"' in page
    assert client.get(f"/talent/targets/{target.pk}/regions/{world.city.pk}/").status_code == 200
    # A county staff member sees no plans of regions outside their own.
    client.force_login(world.users["county"])
    page = client.get(f"/talent/regions/{world.county.pk}/").content.decode()
    assert "data-plans-below" not in page


# --- E. Places, county tiers, ranges ---------------------------------------------------------


def test_selection_stops_at_the_programme_places(world, wenzhou):  # noqa: F811
    tiers, programme = wenzhou
    programme.selection_quota = 1
    programme.save()
    give(world.colleague, tiers["jiaotan-xinxiu"])
    first = services.enrolment_nominate(
        programme=programme, teacher=world.teacher, actor=None, on=ON
    )
    second = services.enrolment_nominate(
        programme=programme, teacher=world.colleague, actor=None, on=ON
    )
    services.enrolment_move(enrolment=first, to="selected", actor=None, on=ON)
    with pytest.raises(ValidationError) as caught:
        services.enrolment_move(enrolment=second, to="selected", actor=None, on=ON)
    assert "1" in caught.value.messages[0]
    services.enrolment_move(enrolment=first, to="withdrawn", actor=None, on=ON)
    services.enrolment_move(enrolment=second, to="selected", actor=None, on=ON)  # a place freed


def test_a_city_programme_draws_from_county_jiaotan_xinxiu(world, wenzhou):  # noqa: F811
    tiers, programme = wenzhou
    assert tiers["county-jiaotan-xinxiu"].level == "county"
    programme.draws_from.set([tiers["jiaotan-xinxiu"], tiers["county-jiaotan-xinxiu"]])
    give(world.colleague, tiers["county-jiaotan-xinxiu"])
    assert services.enrolment_refusals(programme=programme, teacher=world.colleague, on=ON) == []


def test_educator_targets_are_a_range(world):
    presets.load("ningxia", region=world.province)
    educators = Target.objects.filter(region=world.province, name__contains="教育家型")
    assert {(t.figure, t.figure_max) for t in educators} == {(3, 6)}
    educator = tiers_of(world.province)["educator-teacher"]
    teachers = [world.teacher, world.colleague, world.sibling_teacher, world.neighbour_teacher]
    for teacher in teachers:
        give(teacher, educator, on=date(2024, 1, 1))
    services.attainment_recompute(on=ON)
    target = educators.get(tiers=educator)
    assert Attainment.objects.get(target=target, as_of=ON).status == "achieved"  # 4 of 3–6
    for n in range(3):
        give(factories.teacher(world.school, name=f"教师{'一二三'[n]}"), educator, date(2024, 2, 1))
    services.attainment_recompute(on=ON)
    assert Attainment.objects.get(target=target, as_of=ON).status == "over"  # 7


def test_a_programme_takes_no_nomination_before_its_window_opens(world):
    """Attack round 3: only the end of the window was checked."""
    from datetime import date

    from django.core.exceptions import ValidationError

    from talent import services
    from talent.models import Programme

    Programme.objects.filter(pk=world.programme.pk).update(window_start=date(2027, 1, 1))
    world.programme.refresh_from_db()
    assert services.programme_closed(world.programme, on=date(2026, 12, 31))
    assert services.programme_closed(world.programme, on=date(2027, 1, 1)) is None
    with pytest.raises(ValidationError):
        services.enrolment_nominate(
            programme=world.programme,
            teacher=world.colleague,
            actor=world.users["city"],
            on=date(2026, 12, 31),
        )
