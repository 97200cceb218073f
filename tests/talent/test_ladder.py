"""Programmes, enrolments, titles and attainment on the small world of the tests."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal import rules as kernel_rules
from portal import services as kernel
from talent import presets, services
from talent.models import Attainment, Programme, Rotation, Studio, Target, Tier, Title

ON = date(2024, 6, 1)


@pytest.fixture
def wenzhou(world):
    presets.load("wenzhou", region=world.city)
    tiers = {t.code: t for t in Tier.objects.filter(region=world.city)}
    programme = Programme.objects.create(
        name="市级名师培养计划",
        region=world.city,
        tier=tiers["city-famous-teacher"],
        window_start=date(2022, 1, 1),
        # Open today, whatever day the suite runs (a programme past its window takes no
        # nomination).
        window_end=kernel_rules.add_years(timezone.localdate(), 1),
        selection_quota=1000,
        target_titles=500,
    )
    programme.draws_from.set([tiers["jiaotan-xinxiu"]])
    return tiers, programme


def give(teacher, tier, on=date(2023, 3, 1), number=None):
    return Title.objects.create(
        teacher=teacher,
        tier=tier,
        awarding_region=tier.region,
        awarded_on=on,
        certificate_number=number or f"T-{teacher.pk}-{tier.pk}-{on:%Y%m%d}",
    )


def test_presets_load_once(world):
    first = presets.load("wenzhou", region=world.other_city)
    again = presets.load("wenzhou", region=world.other_city)
    assert first == (13, 8) and again == (13, 0)
    special = Tier.objects.get(region=world.other_city, code="province-special")
    assert special.prerequisite.code == "city-famous-teacher"


def test_nomination_refused_with_every_reason(world, wenzhou):
    _tiers, programme = wenzhou
    kernel.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2024, 1, 1),
        sanction="warning",
        in_force_from=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        services.enrolment_nominate(
            programme=programme, teacher=world.colleague, actor=world.users["county"], on=ON
        )
    assert len(caught.value.messages) == 2  # ethics veto, and no 教坛新秀 title


def test_from_nomination_to_title_and_attainment_moves(world, wenzhou):
    tiers, programme = wenzhou
    give(world.teacher, tiers["jiaotan-xinxiu"])
    staff = world.users["city"]
    enrolment = services.enrolment_nominate(
        programme=programme, teacher=world.teacher, actor=world.users["county"], on=ON
    )
    services.attainment_recompute(on=ON)
    target = Target.objects.get(region=world.city, name__contains="名教师")
    before = Attainment.objects.get(target=target, region=world.city, as_of=ON).achieved
    for step in ("selected", "in_training", "recognised"):
        services.enrolment_move(enrolment=enrolment, to=step, actor=staff, on=ON)
    title = Title.objects.get(enrolment=enrolment)
    assert title.tier == tiers["city-famous-teacher"]
    assert title.valid_until == date(2029, 6, 1)
    assert list(enrolment.steps.values_list("to_status", flat=True)) == [
        "nominated",
        "selected",
        "in_training",
        "recognised",
    ]
    services.attainment_recompute(on=ON)
    after = Attainment.objects.get(target=target, region=world.city, as_of=ON)
    assert after.achieved == before + 1


def test_steps_follow_the_rules(world, wenzhou):
    tiers, programme = wenzhou
    give(world.teacher, tiers["jiaotan-xinxiu"])
    enrolment = services.enrolment_nominate(
        programme=programme, teacher=world.teacher, actor=world.users["county"], on=ON
    )
    with pytest.raises(ValidationError):
        services.enrolment_move(enrolment=enrolment, to="recognised", actor=None, on=ON)


def test_a_sanction_stops_a_recognition(world, wenzhou):
    tiers, programme = wenzhou
    give(world.teacher, tiers["jiaotan-xinxiu"])
    enrolment = services.enrolment_nominate(
        programme=programme, teacher=world.teacher, actor=world.users["county"], on=ON
    )
    services.enrolment_move(enrolment=enrolment, to="selected", actor=None, on=ON)
    services.enrolment_move(enrolment=enrolment, to="in_training", actor=None, on=ON)
    kernel.ethics_record_create(
        teacher=world.teacher, decided_on=ON, sanction="demerit", in_force_from=ON
    )
    with pytest.raises(ValidationError):
        services.enrolment_move(enrolment=enrolment, to="recognised", actor=None, on=ON)
    assert not Title.objects.filter(enrolment=enrolment).exists()


def test_share_targets_per_county_roll_up(world):
    presets.load("ningxia", region=world.province)
    tiers = {t.code: t for t in Tier.objects.filter(region=world.province)}
    give(world.teacher, tiers["county-backbone"])  # 鹿城区: 1 of 3 full-time
    services.attainment_recompute(on=ON)
    county_target = Target.objects.get(region=world.province, name__contains="县级骨干")
    lucheng = Attainment.objects.get(target=county_target, region=world.county, as_of=ON)
    assert (lucheng.achieved, lucheng.denominator) == (Decimal(1), Decimal(3))
    assert lucheng.status == "achieved"  # 33 % ≥ 15 %
    longwan = Attainment.objects.get(target=county_target, region=world.sibling_county, as_of=ON)
    assert longwan.status == "behind"
    whole = Target.objects.get(region=world.province, name__contains="自治区骨干教师")
    snapshot = Attainment.objects.get(target=whole, region=world.province, as_of=ON)
    assert snapshot.denominator == Decimal(5)


def test_revoked_and_expired_titles_stop_counting(world):
    presets.load("ningxia", region=world.province)
    tier = Tier.objects.get(region=world.province, code="region-famous-teacher")
    title = give(world.teacher, tier)
    services.title_revoke(title=title, actor=None, reason="违反师德", on=date(2024, 1, 1))
    services.attainment_recompute(on=ON)
    target = Target.objects.get(region=world.province, name__contains="教学名师")
    assert Attainment.objects.get(target=target, as_of=ON).achieved == 0


def test_recompute_is_idempotent_and_keeps_the_path(world):
    presets.load("wenzhou", region=world.city)
    call_command("recompute_attainment", "--as-of", "2024-06-01", verbosity=0)
    call_command("recompute_attainment", "--as-of", "2024-06-01", verbosity=0)
    call_command("recompute_attainment", "--as-of", "2024-07-01", verbosity=0)
    # Five count targets and the city's county-studio coverage for the city; school-studio
    # coverage for each of its two counties.
    assert Attainment.objects.filter(as_of=date(2024, 6, 1)).count() == 9
    assert Attainment.objects.count() == 18


def test_snapshots_equal_the_pure_rule(world):
    """Every snapshot's figures equal what ``rules.target_counts`` gives over every row
    (rolled up by region path), for count, in-force, share, studio and rotation targets,
    with revoked and expired titles."""
    from portal.models import Region

    presets.load("ningxia", region=world.province)
    tiers = {t.code: t for t in Tier.objects.filter(region=world.province)}
    give(world.teacher, tiers["county-backbone"])
    give(world.colleague, tiers["county-backbone"])
    give(world.sibling_teacher, tiers["region-famous-teacher"])
    revoked = give(world.neighbour_teacher, tiers["region-famous-teacher"])
    services.title_revoke(title=revoked, actor=None, reason="撤销", on=date(2024, 1, 1))
    expired = give(world.far_teacher, tiers["city-backbone"], on=date(2019, 1, 1))
    Title.objects.filter(pk=expired.pk).update(valid_until=date(2023, 12, 31))
    presets.load("wenzhou", region=world.city)
    studios_and_rotations(world)
    services.attainment_recompute(on=ON)
    regions = list(Region.objects.all())
    checked = 0
    for snapshot in Attainment.objects.filter(as_of=ON).select_related("target", "region"):
        numerators, denominators = services.target_figures_by_rule(snapshot.target, ON)
        inside = [r.pk for r in regions if r.path.startswith(snapshot.region.path)]
        assert snapshot.achieved == sum(numerators.get(pk, 0) for pk in inside), snapshot
        if snapshot.denominator is not None:
            assert snapshot.denominator == sum(denominators.get(pk, 0) for pk in inside)
        checked += 1
    assert checked > 20
    kinds = set(Attainment.objects.values_list("target__kind", flat=True))
    assert {"studio_coverage", "rotation", "rotation_backbone"} <= kinds


def studios_and_rotations(world):
    """A school studio in 鹿城区 (1 of its 2 schools), a closed one in 龙湾区, a county studio
    for 鹿城区; the teacher (a county backbone) and 王芳 rotate in 2024, 陈明 in 2023."""
    Studio.objects.create(
        name="林晓名师工作室",
        level="school",
        region=world.county,
        school=world.school,
        founded_on=date(2023, 9, 1),
    )
    Studio.objects.create(
        name="已撤销工作室",
        level="school",
        region=world.sibling_county,
        school=world.neighbour_school,
        founded_on=date(2022, 1, 1),
        closed_on=date(2024, 1, 1),
    )
    Studio.objects.create(
        name="鹿城区名师工作室", level="county", region=world.county, founded_on=date(2022, 5, 1)
    )
    for teacher, start in (
        (world.teacher, date(2024, 2, 1)),
        (world.sibling_teacher, date(2024, 3, 1)),
        (world.colleague, date(2023, 9, 1)),
    ):
        Rotation.objects.create(
            teacher=teacher,
            from_school=teacher.school,
            to_school=world.sibling_school
            if teacher.school != world.sibling_school
            else world.school,
            start=start,
        )


def test_studio_coverage_and_rotation_targets(world):
    presets.load("ningxia", region=world.province)
    presets.load("wenzhou", region=world.city)
    tiers = {t.code: t for t in Tier.objects.filter(region=world.province)}
    give(world.teacher, tiers["county-backbone"])
    studios_and_rotations(world)
    services.attainment_recompute(on=ON)

    def snap(name, region):
        return Attainment.objects.get(target__name=name, region=region, as_of=ON)

    schools = snap("校级名师工作室全覆盖", world.county)
    assert (schools.achieved, schools.denominator, schools.status) == (1, 2, "behind")
    closed = snap("校级名师工作室全覆盖", world.sibling_county)
    assert (closed.achieved, closed.denominator) == (0, 1)  # its studio closed in January
    counties = snap("县级名师工作室全覆盖", world.city)
    assert (counties.achieved, counties.denominator) == (1, 2)
    # 鹿城区: 3 compulsory-education teachers, 2 began a rotation in 2024 (陈明's was 2023).
    rotation = snap("每年交流轮岗教师不低于 10%", world.county)
    assert (rotation.achieved, rotation.denominator, rotation.status) == (2, 3, "achieved")
    backbone = snap("骨干教师不低于轮岗教师的 20%", world.county)
    assert (backbone.achieved, backbone.denominator, backbone.status) == (1, 2, "achieved")
    quiet = snap("骨干教师不低于轮岗教师的 20%", world.sibling_county)
    assert (quiet.achieved, quiet.denominator, quiet.status) == (0, 0, "behind")
    # The yearly line: on 1 June, 10 % × 152/365 of the year is expected.
    assert rotation.expected == Decimal("0.0416")


def test_the_division_of_labour_guards_who_runs_a_programme(world):
    presets.load("wenzhou", region=world.city)
    tiers = {t.code: t for t in Tier.objects.filter(region=world.city)}

    def programme(region, tier, stages=()):
        return Programme(
            name="p",
            region=region,
            tier=tiers[tier],
            stages=list(stages),
            window_start=date(2022, 1, 1),
            window_end=date(2025, 12, 31),
        )

    programme(world.county, "jiaotan-xinxiu", ["primary", "junior"]).full_clean()
    programme(world.city, "jiaotan-xinxiu", ["senior"]).full_clean()
    for region, tier, stages in (
        (world.county, "jiaotan-xinxiu", ["senior"]),  # 高中 talent: the city's
        (world.county, "jiaotan-xinxiu", []),  # every stage, 高中 among them
        (world.county, "city-famous-teacher", ["primary"]),  # 市名师: the city's
    ):
        with pytest.raises(ValidationError) as caught:
            programme(region, tier, stages).full_clean()
        assert "region" in caught.value.message_dict


def test_programme_page_counts_reserved_shares(client, world, wenzhou):
    tiers, programme = wenzhou
    programme.reserved_shares = {"mountain_island": 0.233, "weak_rural": 0.382}
    programme.selection_quota = 100
    programme.save()
    world.sibling_school.is_weak = True  # rural already
    world.sibling_school.save()
    give(world.sibling_teacher, tiers["jiaotan-xinxiu"])
    services.enrolment_nominate(
        programme=programme, teacher=world.sibling_teacher, actor=world.users["county"], on=ON
    )
    client.force_login(world.users["city"])
    response = client.get(f"/talent/programmes/{programme.pk}/")
    rows = {row["post"]: row for row in response.context["reserved"]}
    assert rows["weak_rural"]["nominated"] == 1 and rows["weak_rural"]["reserved_places"] == 38
    assert rows["mountain_island"]["nominated"] == 0


def test_teacher_page_shows_titles_and_training(client, world):
    from training import services as training

    training.summaries_recompute()
    client.force_login(world.users["county"])
    page = client.get(f"/teachers/{world.teacher.pk}/").content.decode()
    assert "330300-jiaotan-2023-00001" in page  # the world's 教坛新秀 title
    assert "/training/teachers/" in page


def test_county_nominates_every_eligible_teacher_at_once(client, world, wenzhou):
    tiers, programme = wenzhou
    give(world.colleague, tiers["jiaotan-xinxiu"])  # eligible; the teacher already is, too
    client.force_login(world.users["county"])
    response = client.post(f"/talent/programmes/{programme.pk}/", {"county": world.county.pk})
    assert response.status_code == 302
    enrolled = set(programme.enrolments.values_list("teacher_id", flat=True))
    assert enrolled == {world.teacher.pk, world.colleague.pk}  # not the sibling: no 教坛新秀
    # Another county's teachers cannot be swept in.
    other = client.post(f"/talent/programmes/{programme.pk}/", {"county": world.sibling_county.pk})
    assert other.status_code == 404


def test_programme_page_shows_zero_for_empty_steps(client, world):
    client.force_login(world.users["city"])
    body = client.get(f"/talent/programmes/{world.programme.pk}/").content.decode()
    assert 'data-enrolment-count="selected">0<' in body
    assert ">selected<" not in body


def test_pages_show_studios_rotations_and_the_county_table(client, world):
    import io

    import openpyxl

    presets.load("ningxia", region=world.province)
    presets.load("wenzhou", region=world.city)
    studios_and_rotations(world)
    services.attainment_recompute(on=ON)
    client.force_login(world.users["city"])
    city_page = client.get(f"/talent/regions/{world.city.pk}/").content.decode()
    assert "data-parts-table" in city_page
    assert 'data-cell-status="behind"' in city_page  # 龙湾区's school studios: 0 of 1
    rotation = Target.objects.get(kind="rotation")
    page = client.get(f"/talent/targets/{rotation.pk}/regions/{world.county.pk}/").content.decode()
    assert 'data-counted="rotations"' in page and world.sibling_teacher.name in page
    assert world.colleague.name not in page  # rotated in 2023, not this year
    studios = Target.objects.get(kind="studio_coverage", studio_level="school")
    page = client.get(f"/talent/targets/{studios.pk}/regions/{world.county.pk}/").content.decode()
    assert 'data-counted="studios"' in page and "林晓名师工作室" in page
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a, **k: ON)
        export = client.get(f"/talent/targets/{rotation.pk}/regions/{world.county.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["姓名", "身份证号", "原学校"]
    assert {r[0] for r in rows[1:] if r[0]} >= {world.teacher.name, world.sibling_teacher.name}
    assert not any(world.teacher.reveal_id_number() in str(c) for r in rows for c in r)


def test_the_recompute_is_single_flight_and_a_dead_holder_leaves_no_lock(world):
    from talent.tasks import LOCK, recompute_attainment

    from ..helpers import lock_held_elsewhere

    Attainment.objects.all().delete()
    with lock_held_elsewhere(LOCK):
        assert recompute_attainment.apply().get() == 0  # another run holds it: nothing written
        assert not Attainment.objects.exists()
    # The holder is gone (on PostgreSQL: its connection closed, as a killed worker's does).
    assert recompute_attainment.apply().get() > 0


def test_a_stored_bad_shape_never_takes_the_programme_page_down(client, world):
    """Attack F3: ``reserved_shares=1`` written in the admin made the programme page 500.
    New values are validated; a value already stored is read as empty (and logged)."""
    from talent.models import Programme

    programme = Programme.objects.filter(region=world.city).first()
    Programme.objects.filter(pk=programme.pk).update(reserved_shares=1, stages=7)
    client.force_login(world.users["city"])
    response = client.get(reverse("talent_programme", args=[programme.pk]))
    assert response.status_code == 200
