"""The yearly scan: every honour type with a years-of-service rule, every teacher in the
region, one pass over their service periods, sanctions and awards (a few queries), candidates
upserted so a rerun never duplicates them, and the ethics veto removing a candidate with its
reason.

Every door that makes a candidate or an award (the scan, its command and task, the review
page and API, nominations) goes through this module, which keeps POLICY §8: an honour is
awarded once per person and type (a revoked award may be given again), a veto removes a
candidate and never creates one, and a nominated honour takes nominations only in the years
of its cadence."""

from __future__ import annotations

import logging
import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import permissions
from portal import rules as kernel
from portal.models import Region, ServicePeriod, Teacher
from portal.selectors import ethics_vetoes
from portal.services import audit_record

from . import rules
from .models import Award, AwardBatch, Basis, Candidate, CandidateStatus, HonourType

logger = logging.getLogger(__name__)


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
    Returns how many candidates exist for the year after the scan. A year to come has no
    candidates: it is refused."""
    problem = rules.action_year_problem(year, timezone.localdate().year)
    if problem:
        raise ValidationError(problem)
    # Judged at the end of 31 December, or of yesterday for this year (today is in progress).
    on = min(date(year, 12, 31), kernel.last_full_day(timezone.localdate()))
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
    # A sanction is judged on the day itself (one that ended yesterday no longer vetoes).
    vetoes = _vetoes([t.pk for t in teachers], min(date(year, 12, 31), timezone.localdate()))
    awards: dict[tuple[int, int], list[rules.PastAward]] = {}
    for honour_id, teacher_id, award_year, revoked_on in Award.objects.filter(
        honour_type__in=honours
    ).values_list("honour_type_id", "teacher_id", "year", "revoked_on"):
        awards.setdefault((honour_id, teacher_id), []).append(
            rules.PastAward(award_year, revoked_on)
        )
    existing = {
        (c.honour_type_id, c.teacher_id): c
        for c in Candidate.objects.filter(year=year, honour_type__in=honours).select_related(
            "teacher__school__county"
        )
    }
    new, changed, kept = [], [], set()
    for honour in honours:
        rule = _rule(honour)
        for teacher in teachers:
            if not teacher.school.county.path.startswith(honour.region.subtree_prefix):
                continue
            try:
                found = rules.candidacy(
                    periods=periods.get(teacher.pk, []),
                    rule=rule,
                    year=year,
                    on=on,
                    serving=teacher.status == "serving",
                    retired_on=teacher.retired_on,
                    veto=vetoes.get(teacher.pk),
                    awards=awards.get((honour.pk, teacher.pk), ()),
                )
            except Exception:  # one teacher's bad data never stops the others
                logger.exception(
                    "honour %s: teacher %s could not be judged; the others were",
                    honour.pk,
                    teacher.pk,
                )
                kept.add((honour.pk, teacher.pk))  # an earlier proposal stays until judged
                continue
            if found.status is None:
                continue
            kept.add((honour.pk, teacher.pk))
            verdict = found.verdict
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
                        status=found.status,
                        reason=verdict.reason[:200],
                    )
                )
            elif current.status in (CandidateStatus.PROPOSED, CandidateStatus.VETOED):
                # Reviewed candidates keep their decision; proposals follow the records.
                current.years, current.evidence = verdict.years, evidence
                current.status, current.reason = found.status, verdict.reason[:200]
                changed.append(current)
    # Proposals follow the records: one the scan made that no longer stands (the teacher
    # now holds the honour, no longer qualifies, or was only "vetoed") goes.
    stale = [
        c.pk
        for key, c in existing.items()
        if key not in kept
        and c.status in (CandidateStatus.PROPOSED, CandidateStatus.VETOED)
        and (region is None or c.teacher.school.county.path.startswith(region.subtree_prefix))
    ]
    Candidate.objects.filter(pk__in=stale, award__isnull=True).delete()
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
    return permissions.is_staff_of_or_above(user, honour.region)


def _vetoes(teacher_ids, on: date) -> dict[int, str]:
    return ethics_vetoes(teacher_ids, on)  # the kernel's one definition


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
    checks the ethics veto again (a sanction decided since the scan stops the award),
    refuses a teacher who already holds an award of the type in force (an honour is awarded
    once per person and type: of two candidates of one teacher in one approval the earlier
    year wins) and a nominated honour's candidate of a year outside its cadence; such
    candidates are rejected with the reason. Each award gets the next certificate number of
    its type and year and a verification code; the awards of one approval form one batch per
    honour type and year. Returns (decided, refusals in words, the last batch)."""
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
    turned_down: list[Candidate] = []

    def turn_down(candidate: Candidate, why: str) -> None:
        """Approval refused by a rule, not by the reviewer: the candidate is rejected with
        the reason, which the reviewer reads among the refusals."""
        candidate.status, candidate.reason = CandidateStatus.REJECTED, why[:200]
        candidate.reviewed_by, candidate.reviewed_at = actor, now
        turned_down.append(candidate)
        refused.append(why)

    by_type: dict[int, list[Candidate]] = {}
    for candidate in decided:
        if candidate.teacher_id in vetoes:
            candidate.status = CandidateStatus.VETOED
            candidate.reason = rules.veto_message(vetoes[candidate.teacher_id])[:200]
            candidate.save(update_fields=["status", "reason"])
            refused.append(f"{candidate.teacher.name}：{candidate.reason}")
            continue
        honour = candidate.honour_type
        if candidate.year > on.year:
            turn_down(
                candidate,
                f"{candidate.teacher.name}："
                + _("the year %(year)d has not come; its honours cannot be awarded yet.")
                % {"year": candidate.year},
            )
            continue
        if honour.basis == Basis.NOMINATED and not honour.open_in(candidate.year):
            turn_down(
                candidate,
                f"{candidate.teacher.name}："
                + rules.closed_year_message(
                    honour.name, candidate.year, honour.next_open_year(candidate.year)
                ),
            )
            continue
        by_type.setdefault(candidate.honour_type_id, []).append(candidate)
    for group in by_type.values():
        honour = group[0].honour_type
        HonourType.objects.select_for_update().get(pk=honour.pk)  # numbers: one at a time
        # Awarded once per person and type (POLICY §8): the awards in force, read under the
        # lock so two approvals one after another see each other's.
        held = dict(
            Award.objects.filter(
                honour_type=honour,
                teacher_id__in={c.teacher_id for c in group},
                revoked_on__isnull=True,
            ).values_list("teacher_id", "certificate_number")
        )
        for year in sorted({c.year for c in group}):
            batch_of_year = None
            last = (
                Award.objects.filter(honour_type=honour, year=year).aggregate(n=Max("sequence"))[
                    "n"
                ]
                or 0
            )
            for candidate in sorted((c for c in group if c.year == year), key=lambda c: c.pk):
                if candidate.teacher_id in held:
                    turn_down(
                        candidate,
                        rules.already_held_message(
                            candidate.teacher.name, honour.name, held[candidate.teacher_id]
                        ),
                    )
                    continue
                if batch_of_year is None:
                    batch_of_year = batch = AwardBatch.objects.create(
                        honour_type=honour, year=year, created_by=actor
                    )
                last += 1
                number = rules.certificate_number(honour.region.code, year, honour.pk, last)
                held[candidate.teacher_id] = number
                awards.append(
                    Award(
                        candidate=candidate,
                        honour_type=honour,
                        teacher=candidate.teacher,
                        year=year,
                        years=candidate.years,
                        sequence=last,
                        certificate_number=number,
                        verification_code=new_verification_code(),
                        awarded_on=on,
                        batch=batch_of_year,
                    )
                )
                candidate.status, candidate.reason = CandidateStatus.APPROVED, ""
                candidate.reviewed_by, candidate.reviewed_at = actor, now
    Award.objects.bulk_create(awards, batch_size=1000)
    approved = [a.candidate for a in awards]
    Candidate.objects.bulk_update(
        approved + turned_down, ["status", "reason", "reviewed_by", "reviewed_at"]
    )
    audit_record(
        actor=actor,
        action="honours.approve",
        detail={"awards": [a.certificate_number for a in awards][:500], "count": len(awards)},
    )
    return len(approved), refused, batch


@transaction.atomic
def candidate_nominate(*, honour: HonourType, teacher: Teacher, year: int, actor, note: str = ""):
    """A nominated honour (优秀教师 …): the nomination becomes a proposed candidate. Refused
    at once: a year outside the honour's cadence (全区优秀教师: every five years from 2023),
    a teacher who holds the honour already (awarded once per person and type) and the
    ethics veto."""
    if honour.basis != Basis.NOMINATED:
        raise ValidationError(
            _("This honour is earned by years of service: the yearly scan proposes it.")
        )
    if not teacher.school.county.path.startswith(honour.region.subtree_prefix):
        raise ValidationError(
            _("%(honour)s is awarded by %(region)s; the teacher's school is outside it.")
            % {"honour": honour.name, "region": honour.region.name}
        )
    this_year = timezone.localdate().year
    if year != this_year:
        raise ValidationError(
            _("Nominations are for this year's selection (%(year)d).") % {"year": this_year}
        )
    if not honour.open_in(year):
        raise ValidationError(
            rules.closed_year_message(honour.name, year, honour.next_open_year(year))
        )
    if honour.must_be_serving and teacher.status != "serving":
        raise ValidationError(_("The honour is for teachers still serving."))
    held = Award.objects.filter(honour_type=honour, teacher=teacher, revoked_on__isnull=True)
    number = held.values_list("certificate_number", flat=True).first()
    if number:
        raise ValidationError(rules.already_held_message(teacher.name, honour.name, number))
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
