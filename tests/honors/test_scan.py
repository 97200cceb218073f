"""The yearly scan on the tests' world: candidates with their years and evidence, the veto,
and a rerun that duplicates nothing."""

from datetime import date

from django.core.management import call_command

from honors import presets, services
from honors.models import Candidate, HonourType
from portal import services as kernel


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
