"""The yearly scan on the tests' world: candidates with their years and evidence, the veto,
and a rerun that duplicates nothing."""

from datetime import date

from django.core.management import call_command

from honors import presets, services
from honors.models import Candidate, HonourType
from portal import services as kernel

from .. import factories


def test_scan_proposes_vetoes_and_never_duplicates(world):
    presets.load(region=world.province)
    teacher, colleague = world.teacher, world.colleague
    teacher.service_periods.update(start=date(1990, 9, 1))  # 30+ years of teaching
    colleague.service_periods.update(start=date(1991, 9, 1))
    kernel.ethics_record_create(
        teacher=colleague,
        decided_on=date(2026, 3, 1),
        sanction="warning",
        in_force_from=date(2026, 3, 1),
    )
    count = services.honours_scan(year=2026)
    thirty = HonourType.objects.get(region=world.province, code="teaching-30")
    proposed = Candidate.objects.get(honour_type=thirty, teacher=teacher)
    assert (proposed.status, proposed.years) == ("proposed", 36)
    assert proposed.evidence and proposed.evidence[0]["start"] == "1990-09-01"
    vetoed = Candidate.objects.get(honour_type=thirty, teacher=colleague)
    assert vetoed.status == "vetoed" and vetoed.reason
    assert not Candidate.objects.filter(teacher=world.sibling_teacher).exists()
    call_command("scan_honours", "--year", "2026", verbosity=0)
    assert Candidate.objects.filter(year=2026).count() == count


def _late_2027(monkeypatch):
    """Scans of 2027 judged on 31 December 2027."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2027, 12, 31))


def test_a_holder_is_not_proposed_again_and_a_revoked_award_is(world, monkeypatch):
    """The world's teacher holds the city's 任教满 30 年 of 2026: the 2027 scan, by every
    door (service, command, task), does not propose them again; once the award is revoked it
    does. A proposal the scan made before the rule is removed on the rerun."""
    from honors import tasks

    _late_2027(monkeypatch)
    thirty = HonourType.objects.get(region=world.city, code="teaching-30")
    world.teacher.service_periods.update(start=date(1990, 9, 1))
    world.colleague.service_periods.update(start=date(1990, 9, 1))
    # What the scan proposed before the rule: the holder again, for 2027.
    stale = Candidate.objects.create(honour_type=thirty, teacher=world.teacher, year=2027, years=37)
    services.honours_scan(year=2027)
    assert not Candidate.objects.filter(pk=stale.pk).exists()
    assert not Candidate.objects.filter(teacher=world.teacher, honour_type=thirty, year=2027)
    # The colleague has a 2026 candidate but no award: proposed for 2027.
    assert Candidate.objects.get(teacher=world.colleague, honour_type=thirty, year=2027).status == (
        "proposed"
    )
    call_command("scan_honours", "--year", "2027", verbosity=0)
    tasks.scan_honours(2027, world.city.pk)
    assert not Candidate.objects.filter(teacher=world.teacher, honour_type=thirty, year=2027)
    services.award_revoke(award=world.award, actor=world.users["city"], reason="材料不实")
    tasks.scan_honours(2027, world.city.pk)
    again = Candidate.objects.get(teacher=world.teacher, honour_type=thirty, year=2027)
    assert again.status == "proposed" and again.years == 37


def test_a_veto_never_makes_a_serving_teacher_a_retirement_candidate(world, monkeypatch):
    """A serving teacher with a sanction in force was a "vetoed" 荣誉退休 candidate (the
    threshold is 0 years). A veto removes a candidate; it never creates one."""
    _late_2027(monkeypatch)
    kernel.ethics_record_create(
        teacher=world.colleague,
        decided_on=date(2027, 3, 1),
        sanction="warning",
        in_force_from=date(2027, 3, 1),
    )
    # And one short of 30 years: no candidate either, vetoed or not.
    world.colleague.service_periods.update(start=date(1998, 9, 1))
    # A stale "vetoed" candidate from before the rule goes on the rerun.
    retirement = HonourType.objects.get(region=world.city, code="honorary-retirement")
    Candidate.objects.create(
        honour_type=retirement, teacher=world.colleague, year=2027, years=0, status="vetoed"
    )
    services.honours_scan(year=2027)
    assert not Candidate.objects.filter(teacher=world.colleague, year=2027).exists()


def test_honorary_retirement_is_for_any_member_of_staff_retiring_that_year(world, monkeypatch):
    """荣誉退休 (Z: 教职工): a principal retiring, a part-time member of staff retiring;
    with a sanction in force, vetoed; retired the year before, not this year's."""
    from portal import services as portal

    _late_2027(monkeypatch)
    retirement = HonourType.objects.get(region=world.city, code="honorary-retirement")
    head = factories.teacher(world.school, name="周校长", started_teaching=date(1988, 9, 1))
    head.service_periods.update(role="principal", end=date(2027, 7, 31))
    portal.teacher_update(teacher=head, status="retired", retired_on=date(2027, 7, 31))
    clerk = factories.teacher(world.school, name="吴会计", is_full_time=False)
    portal.teacher_update(teacher=clerk, status="retired", retired_on=date(2027, 12, 31))
    sanctioned = factories.teacher(world.school, name="郑老师")
    portal.teacher_update(teacher=sanctioned, status="retired", retired_on=date(2027, 1, 31))
    kernel.ethics_record_create(
        teacher=sanctioned,
        decided_on=date(2026, 12, 1),
        sanction="warning",
        in_force_from=date(2026, 12, 1),
    )
    earlier = factories.teacher(world.school, name="钱老师")
    portal.teacher_update(teacher=earlier, status="retired", retired_on=date(2026, 12, 31))
    services.honours_scan(year=2027)
    found = dict(
        Candidate.objects.filter(honour_type=retirement, year=2027).values_list(
            "teacher__name", "status"
        )
    )
    assert found == {"周校长": "proposed", "吴会计": "proposed", "郑老师": "vetoed"}


def test_one_teacher_failing_is_logged_and_the_others_are_judged(world, monkeypatch, caplog):
    """Issue 13 item 3, the class: a background job that judges teachers one by one never
    stops at one teacher's bad data."""
    from honors import rules as honour_rules
    from portal.models import Teacher

    real = honour_rules.candidacy

    def fragile(**kwargs):
        if kwargs["retired_on"] == date(2026, 2, 28):
            raise ValueError("day is out of range for month")
        return real(**kwargs)

    monkeypatch.setattr(honour_rules, "candidacy", fragile)
    Teacher.objects.filter(pk=world.colleague.pk).update(
        status="retired", retired_on=date(2026, 2, 28)
    )
    Teacher.objects.filter(pk=world.sibling_teacher.pk).update(
        status="retired", retired_on=date(2026, 3, 1)
    )
    services.honours_scan(year=2026)
    assert f"teacher {world.colleague.pk} could not be judged" in caplog.text
    # The colleague's earlier proposal stays until the teacher can be judged ...
    assert Candidate.objects.filter(pk=world.candidate.pk, status="proposed").exists()
    # ... and the rest of the scan ran: the other retiree is proposed for 荣誉退休.
    assert Candidate.objects.filter(
        teacher=world.sibling_teacher, honour_type__basis="retirement", status="proposed"
    ).exists()
