"""Writes of the talent ladder: nominations (refused with every reason when not eligible),
steps of an enrolment, titles, revocations, and the attainment snapshots."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import rules as kernel_rules
from portal.models import Region, School, Teacher
from portal.services import audit_record

from . import rules, selectors
from .models import (
    NEXT_STEPS,
    SHARE_KINDS,
    YEARLY_KINDS,
    Attainment,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStep,
    Programme,
    Rotation,
    Studio,
    Target,
    TargetKind,
    Title,
)

logger = logging.getLogger(__name__)


def enrolment_refusals(*, programme: Programme, teacher: Teacher, on: date | None = None):
    """Every reason ``teacher`` may not be nominated into ``programme`` (empty: eligible),
    for a form to show before it calls ``enrolment_nominate``, which checks again."""
    on = on or timezone.localdate()
    facts = selectors.teacher_facts([teacher], on=on)[teacher.pk]
    return rules.refusals(facts, selectors.programme_rules(programme), on=on)


def programme_closed(programme: Programme, on: date | None = None) -> str | None:
    """Why ``programme`` takes no nomination on ``on`` (its window is over), or None."""
    return rules.programme_closed(selectors.programme_rules(programme), on or timezone.localdate())


@transaction.atomic
def enrolment_nominate(
    *, programme: Programme, teacher: Teacher, actor, targeted_post="", on: date | None = None
) -> Enrolment:
    """Nominate a teacher; refused with every reason when they are not eligible."""
    reasons = enrolment_refusals(programme=programme, teacher=teacher, on=on)
    if reasons:
        raise ValidationError(reasons)
    enrolment, created = Enrolment.objects.get_or_create(
        programme=programme, teacher=teacher, defaults={"targeted_post": targeted_post}
    )
    if not created:
        raise ValidationError(_("The teacher is already enrolled in this programme."))
    EnrolmentStep.objects.create(enrolment=enrolment, to_status=enrolment.status, by=actor)
    audit_record(
        actor=actor, action="enrolment.nominate", obj=enrolment, region=teacher.school.county
    )
    return enrolment


@transaction.atomic
def enrolments_nominate_eligible(
    *, programme: Programme, teachers, actor, on: date | None = None
) -> tuple[int, int]:
    """Nominate every eligible teacher of ``teachers`` (a queryset already restricted to the
    nominator's scope and filter): facts for all of them in a few queries, enrolments and their
    first steps written in bulk. Returns (nominated, refused)."""
    on = on or timezone.localdate()
    closed = programme_closed(programme, on)
    if closed:
        raise ValidationError(closed)
    candidates = list(
        teachers.exclude(enrolments__programme=programme).select_related("school__county")
    )
    facts = selectors.teacher_facts(candidates, on=on)
    programme_rules = selectors.programme_rules(programme)
    eligible = [t for t in candidates if not rules.refusals(facts[t.pk], programme_rules, on=on)]
    enrolments_create(programme=programme, teachers=[(t, "") for t in eligible], actor=actor)
    audit_record(
        actor=actor,
        action="enrolment.nominate_bulk",
        obj=programme,
        detail={"nominated": len(eligible), "refused": len(candidates) - len(eligible)},
    )
    return len(eligible), len(candidates) - len(eligible)


def enrolments_create(*, programme: Programme, teachers, actor) -> list[Enrolment]:
    """Enrol already-checked teachers in bulk, each with its first step recorded:
    ``teachers`` holds (teacher, targeted post) pairs."""
    enrolments = Enrolment.objects.bulk_create(
        [Enrolment(programme=programme, teacher=t, targeted_post=post) for t, post in teachers],
        batch_size=1000,
    )
    EnrolmentStep.objects.bulk_create(
        [EnrolmentStep(enrolment=e, to_status=e.status, by=actor) for e in enrolments],
        batch_size=1000,
    )
    return enrolments


@transaction.atomic
def enrolment_move(
    *, enrolment: Enrolment, to: str, actor, note: str = "", on: date | None = None
) -> Enrolment:
    """Move an enrolment one step (rules in ``models.NEXT_STEPS``). Selection checks the
    ethics veto again: a sanction in force stops the teacher at any step."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if to not in NEXT_STEPS.get(enrolment.status, set()):
        raise ValidationError(
            _("%(from)s cannot move to %(to)s.")
            % {"from": EnrolmentStatus(enrolment.status).label, "to": EnrolmentStatus(to).label}
        )
    on = on or timezone.localdate()
    if to in (EnrolmentStatus.SELECTED, EnrolmentStatus.RECOGNISED):
        facts = selectors.teacher_facts([enrolment.teacher], on=on)[enrolment.teacher_id]
        if facts.ethics_veto:
            raise ValidationError(
                _(
                    "An ethics sanction is in force (%(sanction)s): the teacher cannot be "
                    "selected or recognised."
                )
                % {"sanction": facts.ethics_veto}
            )
    if to == EnrolmentStatus.SELECTED:
        _check_places(enrolment.programme)
    previous = enrolment.status
    enrolment.status = to
    enrolment.save(update_fields=["status"])
    EnrolmentStep.objects.create(
        enrolment=enrolment, from_status=previous, to_status=to, by=actor, note=note[:200]
    )
    if to == EnrolmentStatus.RECOGNISED:
        title_award(enrolment=enrolment, actor=actor, on=on)
    audit_record(actor=actor, action=f"enrolment.{to}", obj=enrolment)
    return enrolment


# Statuses that hold one of a programme's places (W §3: 100 / 500 / 1000 / 3000 selected).
HOLDS_A_PLACE = (
    EnrolmentStatus.SELECTED,
    EnrolmentStatus.IN_TRAINING,
    EnrolmentStatus.RECOGNISED,
    EnrolmentStatus.NOT_PASSED,
)


def _check_places(programme: Programme) -> None:
    """A selection beyond the programme's places is refused. The programme row is locked
    first, so two selections at once cannot both take the last place."""
    quota = Programme.objects.select_for_update().get(pk=programme.pk).selection_quota
    if quota is None:
        return
    taken = Enrolment.objects.filter(programme=programme, status__in=HOLDS_A_PLACE).count()
    if taken >= quota:
        raise ValidationError(
            _("All %(quota)d places of %(programme)s are taken: no more can be selected.")
            % {"quota": quota, "programme": programme.name}
        )


def title_award(*, enrolment: Enrolment, actor, on: date) -> Title:
    programme = enrolment.programme
    tier = programme.tier
    sequence = Title.objects.filter(tier=tier, awarded_on__year=on.year).count() + 1
    valid_until = kernel_rules.add_years(on, tier.term_years) if tier.term_years else None
    title = Title.objects.create(
        teacher=enrolment.teacher,
        tier=tier,
        awarding_region=programme.region,
        awarded_on=on,
        valid_until=valid_until,
        enrolment=enrolment,
        certificate_number=rules.certificate_number(
            programme.region.code, on.year, tier.pk, sequence
        ),
    )
    audit_record(actor=actor, action="title.award", obj=title)
    from .tasks import recompute_attainment

    recompute_attainment.delay_on_commit()
    return title


@transaction.atomic
def title_revoke(*, title: Title, actor, reason: str, on: date | None = None) -> Title:
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the revocation.")})
    title.revoked_on = on or timezone.localdate()
    title.revoke_reason = reason.strip()[:200]
    title.save(update_fields=["revoked_on", "revoke_reason"])
    audit_record(actor=actor, action="title.revoke", obj=title, detail={"reason": reason[:200]})
    return title


# --- Attainment -----------------------------------------------------------------------------


def _grouped(queryset, key: str, counted) -> dict[int, int]:
    return dict(queryset.values(key).annotate(n=counted).order_by().values_list(key, "n"))


def target_figures(target: Target, on: date) -> tuple[dict[int, int], dict[int, int]]:
    """What a target counts, and for a share its denominator, per region (a county, or the
    region a studio belongs to): grouped queries, never a loop over teachers, equal to
    ``rules.target_counts`` (the definition; a test compares them). People, not titles: a
    teacher holding two of the tiers counts once. The caller sums them up the region tree."""
    goal = selectors.goal(target)  # a bad stored shape: ValidationError, never a crash
    tiers = list(goal.tiers)
    kind = target.kind
    if kind in (TargetKind.NEW_TITLES, TargetKind.IN_FORCE, TargetKind.SHARE):
        titles = Title.objects.counting(on).filter(tier_id__in=tiers)
        people = Count("teacher", distinct=True)
        if kind == TargetKind.NEW_TITLES:
            titles = titles.filter(
                awarded_on__gte=target.plan_start, awarded_on__lte=min(on, target.deadline)
            )
            return _grouped(titles, "teacher__school__county", people), {}
        titles = titles.in_force(on).filter(teacher__status="serving")
        if kind == TargetKind.IN_FORCE:
            return _grouped(titles, "teacher__school__county", people), {}
        staff = selectors.counted_staff(target)
        titles = titles.filter(teacher__in=staff)
        return (
            _grouped(titles, "teacher__school__county", people),
            _grouped(staff, "school__county", Count("id")),
        )
    if kind == TargetKind.STUDIO_COVERAGE:
        open_studios = Studio.objects.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on),
            level=target.studio_level,
            founded_on__lte=on,
        )
        if target.studio_level == "school":
            return (
                _grouped(open_studios, "school__county", Count("school", distinct=True)),
                _grouped(School.objects.all(), "county", Count("id")),
            )
        covered = set(open_studios.values_list("region_id", flat=True))
        units = Region.objects.filter(level=target.studio_level).values_list("pk", flat=True)
        return {pk: 1 for pk in units if pk in covered}, dict.fromkeys(units, 1)
    # Rotation: the teachers eligible to rotate this year (N §2.7: 符合交流条件, as data on
    # the target) who began a rotation this year, by the county they rotate from; for the
    # backbone share, those of them holding the tiers.
    pool = selectors.rotation_pool(target, on)
    year_start = rules.rotation_year_start(goal, on)
    rotations = [
        (county, teacher)
        for county, teacher in Rotation.objects.filter(start__gte=year_start, start__lte=on)
        .order_by()
        .values_list("from_school__county", "teacher_id")
        .distinct()
        if teacher in pool
    ]
    rotators = Counter(county for county, _teacher in rotations)
    if kind == TargetKind.ROTATION:
        return dict(rotators), dict(Counter(pool.values()))
    holders = set(
        Title.objects.in_force(on)
        .filter(
            tier_id__in=tiers,
            teacher__rotations__start__gte=year_start,
            teacher__rotations__start__lte=on,
        )
        .values_list("teacher_id", flat=True)
    )
    held = Counter(county for county, teacher in rotations if teacher in holders)
    return dict(held), dict(rotators)


def target_figures_by_rule(target: Target, on: date) -> tuple[dict[int, int], dict[int, int]]:
    """The same figures from ``rules.target_counts`` over every row (slow; the reference)."""
    return rules.target_counts(selectors.goal(target), on, **selectors.attainment_facts(target, on))


def _measured(target: Target, on: date) -> tuple[date, bool]:
    """The day a target is measured on ``on``, and whether the result is final: past the
    deadline a target keeps the figure on its deadline (POLICY §8)."""
    if on > target.deadline:
        return target.deadline, True
    return on, False


@transaction.atomic
def attainment_recompute(*, on: date | None = None) -> int:
    """Every target for every region it applies to: one or two grouped queries per target,
    rolled up the region tree, judged against the straight line and written as the day's
    snapshot (a rerun the same day rewrites the same figures)."""
    today = on or timezone.localdate()
    regions = {r.pk: r for r in Region.objects.all()}
    written = 0
    for target in Target.objects.select_related("region").prefetch_related("tiers"):
        on, final = _measured(target, today)
        finalised = _finalise(target) if final else 0
        if finalised:
            written += finalised
            continue
        try:
            numerators, denominators = target_figures(target, on)
        except ValidationError as exc:
            # A value stored behind the validators' back: this target keeps its earlier
            # snapshots, every other target is recomputed, and the log says which to correct.
            logger.error(
                "target %s (region %s) cannot be read, its attainment was not recomputed: %s",
                target.pk,
                target.region_id,
                " ".join(exc.messages),
            )
            continue
        is_share = target.kind in SHARE_KINDS
        if target.applies_to:
            scopes = [
                r
                for r in regions.values()
                if r.level == target.applies_to and r.path.startswith(target.region.subtree_prefix)
            ]
        else:
            scopes = [target.region]
        line = rules.Line(target.plan_start, target.deadline)
        if target.kind in YEARLY_KINDS:
            line = rules.yearly_line(line, on)
        snapshots = []
        for region in scopes:
            inside = [pk for pk, r in regions.items() if r.path.startswith(region.subtree_prefix)]
            achieved = Decimal(sum(numerators.get(pk, 0) for pk in inside))
            denominator = (
                Decimal(sum(denominators.get(pk, 0) for pk in inside)) if is_share else None
            )
            result = rules.judge(
                figure=target.figure,
                achieved=achieved,
                line=line,
                on=on,
                denominator=denominator,
                most=target.figure_max,
                final=final,
            )
            snapshots.append(
                Attainment(
                    target=target,
                    region=region,
                    as_of=on,
                    achieved=achieved,
                    denominator=denominator,
                    ratio=result.ratio.quantize(Decimal("0.0001")),
                    expected=result.expected.quantize(Decimal("0.0001")),
                    status=result.status,
                )
            )
        Attainment.objects.filter(target=target, as_of=on).delete()
        Attainment.objects.bulk_create(snapshots)
        written += len(snapshots)
    return written


def _finalise(target: Target) -> int:
    """Past the deadline: the snapshots measured on the deadline, if the job ran that day,
    are the final figures, judged met or missed (later runs change nothing). Returns how
    many; none: the figures are measured as of the deadline instead."""
    snapshots = list(Attainment.objects.filter(target=target, as_of=target.deadline))
    if not snapshots:
        return False
    line = rules.Line(target.plan_start, target.deadline)
    if target.kind in YEARLY_KINDS:
        line = rules.yearly_line(line, target.deadline)
    changed = []
    for snapshot in snapshots:
        result = rules.judge(
            figure=target.figure,
            achieved=snapshot.achieved,
            line=line,
            on=target.deadline,
            denominator=snapshot.denominator,
            most=target.figure_max,
            final=True,
        )
        if snapshot.status != result.status:
            snapshot.status = result.status
            snapshot.expected = result.expected.quantize(Decimal("0.0001"))
            changed.append(snapshot)
    Attainment.objects.bulk_update(changed, ["status", "expected"])
    return len(snapshots)
