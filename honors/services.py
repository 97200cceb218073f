"""The yearly scan: every honour type with a years-of-service rule, every teacher in the
region, one pass over their service periods (two queries), candidates upserted so a rerun
never duplicates them, and the ethics veto removing a candidate with its reason."""

from __future__ import annotations

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import rules as kernel
from portal.choices import STAFF_ROLE_LEVEL
from portal.models import EthicsRecord, Region, ServicePeriod, Teacher
from portal.services import audit_record

from . import rules
from .models import Award, AwardBatch, Basis, Candidate, CandidateStatus, HonourType


def _rule(honour: HonourType) -> rules.HonourRule:
    return rules.HonourRule(
        basis=honour.basis,
        years=honour.years,
        years_senior_high=honour.years_senior_high,
        must_be_serving=honour.must_be_serving,
    )


def _evidence(periods) -> list[dict]:
    """The periods behind a candidate, each span once (a head-teacher period over a
    teaching period at the same school is one span of evidence)."""
    seen, rows = set(), []
    for p in sorted(periods, key=lambda p: (p.start, p.end or date.max)):
        if (p.start, p.end) in seen:
            continue
        seen.add((p.start, p.end))
        rows.append(
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat() if p.end else None,
                "role": p.role,
                "stage": p.stage,
                "rural": p.rural,
            }
        )
    return rows


@transaction.atomic
def honours_scan(*, year: int, region: Region | None = None) -> int:
    """Propose the candidates of ``year`` (judged on 31 December, or today for this year).
    Returns how many candidates exist for the year after the scan."""
    on = min(date(year, 12, 31), timezone.localdate())
    honours = HonourType.objects.filter(active=True).exclude(basis=Basis.NOMINATED)
    teachers = Teacher.objects.filter(Q(status="serving") | Q(retired_on__year=year))
    if region is not None:
        honours = honours.filter(region_id__in=region.path_ids)
        teachers = teachers.filter(school__county__path__startswith=region.subtree_prefix)
    honours = list(honours.select_related("region"))
    teachers = list(teachers.select_related("school__county"))
    periods: dict[int, list[rules.Period]] = {}
    for period in ServicePeriod.objects.filter(teacher__in=teachers).select_related("school"):
        periods.setdefault(period.teacher_id, []).append(
            rules.Period(
                period.start, period.end, period.role, period.stage, period.school.is_rural
            )
        )
    vetoes = _vetoes([t.pk for t in teachers], on)
    existing = {
        (c.honour_type_id, c.teacher_id): c
        for c in Candidate.objects.filter(year=year, honour_type__in=honours)
    }
    new, changed = [], []
    for honour in honours:
        rule = _rule(honour)
        for teacher in teachers:
            if not teacher.school.county.path.startswith(honour.region.subtree_prefix):
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
            evidence = _evidence(verdict.evidence)
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


# --- Review, awards, verification ------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed back


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch in CODE_ALPHABET)[:16]


def may_decide(user, honour: HonourType) -> bool:
    """Staff of the region that awards the honour, or above it, approve and reject."""
    if user.is_superuser:
        return True
    return bool(
        user.region_id
        and user.role in STAFF_ROLE_LEVEL
        and honour.region.path.startswith(user.region.subtree_prefix)
    )


def _vetoes(teacher_ids, on: date) -> dict[int, str]:
    vetoes: dict[int, str] = {}
    for record in EthicsRecord.objects.filter(teacher_id__in=teacher_ids):
        if kernel.sanction_in_force(
            kernel.Sanction(
                record.get_sanction_display(), record.in_force_from, record.in_force_to
            ),
            on,
        ):
            vetoes.setdefault(record.teacher_id, record.get_sanction_display())
    return vetoes


@transaction.atomic
def candidates_review(
    *,
    candidates,
    actor,
    approve: bool,
    reason: str = "",
    on: date | None = None,
    as_system: bool = False,
) -> tuple[int, list[str], AwardBatch | None]:
    """Approve or reject proposed candidates in bulk. Rejection needs a reason. Approval
    checks the ethics veto again (a sanction decided since the scan stops the award) and
    gives each award the next certificate number of its type and year and a verification
    code; the awards of one approval form one batch per honour type. Returns (decided,
    refusals in words, the last batch)."""
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    chosen = list(
        candidates.select_for_update(of=("self",))
        .filter(status=CandidateStatus.PROPOSED)
        .select_related("honour_type__region", "teacher")
    )
    refused: list[str] = []
    decided = [c for c in chosen if as_system or may_decide(actor, c.honour_type)]
    refused += [
        _("%(name)s: %(honour)s is decided by %(region)s.")
        % {
            "name": c.teacher.name,
            "honour": c.honour_type.name,
            "region": c.honour_type.region.name,
        }
        for c in chosen
        if c not in decided
    ]
    now = timezone.now()
    batch = None
    if not approve:
        for candidate in decided:
            candidate.status, candidate.reason = CandidateStatus.REJECTED, reason[:200]
            candidate.reviewed_by, candidate.reviewed_at = actor, now
        Candidate.objects.bulk_update(decided, ["status", "reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="honours.reject",
            detail={"candidates": [c.pk for c in decided], "reason": reason[:200]},
        )
        return len(decided), refused, None
    vetoes = _vetoes([c.teacher_id for c in decided], on)
    awards = []
    by_type: dict[int, list[Candidate]] = {}
    for candidate in decided:
        if candidate.teacher_id in vetoes:
            candidate.status = CandidateStatus.VETOED
            candidate.reason = rules.veto_message(vetoes[candidate.teacher_id])[:200]
            candidate.save(update_fields=["status", "reason"])
            refused.append(f"{candidate.teacher.name}：{candidate.reason}")
            continue
        by_type.setdefault(candidate.honour_type_id, []).append(candidate)
    for group in by_type.values():
        honour = group[0].honour_type
        HonourType.objects.select_for_update().get(pk=honour.pk)  # numbers: one at a time
        for year in sorted({c.year for c in group}):
            batch = AwardBatch.objects.create(honour_type=honour, year=year, created_by=actor)
            last = (
                Award.objects.filter(honour_type=honour, year=year).aggregate(n=Max("sequence"))[
                    "n"
                ]
                or 0
            )
            for candidate in (c for c in group if c.year == year):
                last += 1
                awards.append(
                    Award(
                        candidate=candidate,
                        honour_type=honour,
                        teacher=candidate.teacher,
                        year=year,
                        years=candidate.years,
                        sequence=last,
                        certificate_number=f"{honour.region.code}-{honour.code.upper()}-{year}-{last:05d}",
                        verification_code=new_verification_code(),
                        awarded_on=on,
                        batch=batch,
                    )
                )
                candidate.status, candidate.reason = CandidateStatus.APPROVED, ""
                candidate.reviewed_by, candidate.reviewed_at = actor, now
    Award.objects.bulk_create(awards, batch_size=1000)
    approved = [a.candidate for a in awards]
    Candidate.objects.bulk_update(approved, ["status", "reason", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=actor,
        action="honours.approve",
        detail={"awards": [a.certificate_number for a in awards][:500], "count": len(awards)},
    )
    return len(approved), refused, batch


@transaction.atomic
def candidate_nominate(*, honour: HonourType, teacher: Teacher, year: int, actor, note: str = ""):
    """A nominated honour (优秀教师 …): the nomination becomes a proposed candidate; the
    ethics veto refuses it at once."""
    if honour.basis != Basis.NOMINATED:
        raise ValidationError(
            _("This honour is earned by years of service: the yearly scan proposes it.")
        )
    if not teacher.school.county.path.startswith(honour.region.subtree_prefix):
        raise ValidationError(
            _("%(honour)s is awarded by %(region)s; the teacher's school is outside it.")
            % {"honour": honour.name, "region": honour.region.name}
        )
    if honour.must_be_serving and teacher.status != "serving":
        raise ValidationError(_("The honour is for teachers still serving."))
    veto = _vetoes([teacher.pk], timezone.localdate()).get(teacher.pk)
    if veto:
        raise ValidationError(rules.veto_message(veto))
    candidate, created = Candidate.objects.get_or_create(
        honour_type=honour,
        teacher=teacher,
        year=year,
        defaults={"years": 0, "evidence": [], "reason": note[:200]},
    )
    if not created:
        raise ValidationError(_("The teacher is already a candidate for this honour this year."))
    audit_record(actor=actor, action="honours.nominate", obj=candidate)
    return candidate


@transaction.atomic
def award_revoke(*, award: Award, actor, reason: str, on: date | None = None) -> Award:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason for the revocation.")})
    award.revoked_on = on or timezone.localdate()
    award.revoke_reason = reason.strip()[:200]
    award.save(update_fields=["revoked_on", "revoke_reason"])
    audit_record(actor=actor, action="honours.revoke", obj=award, detail={"reason": reason[:200]})
    return award
