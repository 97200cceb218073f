"""The yearly scan: every honour type with a years-of-service rule, every teacher in the
region, one pass over their service periods (two queries), candidates upserted so a rerun
never duplicates them, and the ethics veto removing a candidate with its reason."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import rules as kernel
from portal.models import EthicsRecord, Region, ServicePeriod, Teacher

from . import rules
from .models import Basis, Candidate, CandidateStatus, HonourType


def _rule(honour: HonourType) -> rules.HonourRule:
    return rules.HonourRule(
        basis=honour.basis,
        years=honour.years,
        years_senior_high=honour.years_senior_high,
        must_be_serving=honour.must_be_serving,
    )


@transaction.atomic
def honours_scan(*, year: int, region: Region | None = None) -> int:
    """Propose the candidates of ``year`` (judged on 31 December, or today for this year).
    Returns how many candidates exist for the year after the scan."""
    on = min(date(year, 12, 31), timezone.localdate())
    honours = HonourType.objects.filter(active=True).exclude(basis=Basis.NOMINATED)
    teachers = Teacher.objects.filter(Q(status="serving") | Q(retired_on__year=year))
    if region is not None:
        honours = honours.filter(region_id__in=region.path_ids)
        teachers = teachers.filter(school__county__path__startswith=region.path)
    honours = list(honours.select_related("region"))
    teachers = list(teachers.select_related("school__county"))
    periods: dict[int, list[rules.Period]] = {}
    for period in ServicePeriod.objects.filter(teacher__in=teachers).select_related("school"):
        periods.setdefault(period.teacher_id, []).append(
            rules.Period(
                period.start, period.end, period.role, period.stage, period.school.is_rural
            )
        )
    vetoes: dict[int, str] = {}
    for record in EthicsRecord.objects.filter(teacher__in=teachers):
        if kernel.sanction_in_force(
            kernel.Sanction(
                record.get_sanction_display(), record.in_force_from, record.in_force_to
            ),
            on,
        ):
            vetoes.setdefault(record.teacher_id, record.get_sanction_display())
    existing = {
        (c.honour_type_id, c.teacher_id): c
        for c in Candidate.objects.filter(year=year, honour_type__in=honours)
    }
    new, changed = [], []
    for honour in honours:
        rule = _rule(honour)
        for teacher in teachers:
            if not teacher.school.county.path.startswith(honour.region.path):
                continue
            verdict = rules.assess(
                periods=periods.get(teacher.pk, []),
                rule=rule,
                on=on,
                serving=teacher.status == "serving",
                retired_on=teacher.retired_on,
                veto=vetoes.get(teacher.pk),
            )
            if not verdict.qualifies and not (
                vetoes.get(teacher.pk) and verdict.years >= verdict.needed
            ):
                continue
            status = CandidateStatus.VETOED if teacher.pk in vetoes else CandidateStatus.PROPOSED
            evidence = [
                {
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat() if p.end else None,
                    "role": p.role,
                    "stage": p.stage,
                    "rural": p.rural,
                }
                for p in verdict.evidence
            ]
            current = existing.get((honour.pk, teacher.pk))
            if current is None:
                new.append(
                    Candidate(
                        honour_type=honour,
                        teacher=teacher,
                        year=year,
                        years=verdict.years,
                        evidence=evidence,
                        status=status,
                        reason=verdict.reason[:200],
                    )
                )
            elif current.status in (CandidateStatus.PROPOSED, CandidateStatus.VETOED):
                # Reviewed candidates keep their decision; proposals follow the records.
                current.years, current.evidence = verdict.years, evidence
                current.status, current.reason = status, verdict.reason[:200]
                changed.append(current)
    Candidate.objects.bulk_create(new, batch_size=1000)
    Candidate.objects.bulk_update(
        changed, ["years", "evidence", "status", "reason"], batch_size=1000
    )
    return Candidate.objects.filter(year=year).count()
