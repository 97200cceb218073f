"""Writes of the training ledger. Records are append-only: a correction is a reversal; only
the review of a pending record fills in its status."""

from __future__ import annotations

import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal import bulk
from portal.choices import STAFF_ROLE_LEVEL, Role, ServiceRole
from portal.models import Region, ServicePeriod, Teacher
from portal.services import audit_record

from . import rules, selectors
from .choices import Category, Mode, RecordStatus, Source
from .models import ALREADY_CREDITED, BrokenRuleSet, RuleSet, TrainingRecord, TrainingSummary

logger = logging.getLogger(__name__)


def to_tenths(hours) -> int:
    value = Decimal(str(hours)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(value * 10)


def approves_directly(user) -> bool:
    """Records entered by a school administrator or bureau staff need no review."""
    return user is not None and (
        user.is_superuser or user.role in (*STAFF_ROLE_LEVEL, Role.SCHOOL_ADMIN)
    )


@transaction.atomic
def record_create(
    *,
    teacher: Teacher,
    hours,
    completed_on: date,
    level: str,
    category: str,
    source: str,
    actor=None,
    course=None,
    description: str = "",
    mode: str = "face_to_face",
    evidence=None,
    import_job=None,
) -> TrainingRecord:
    """Add a credit. Self-reports wait for the school's review; records entered by staff are
    approved at once. The same course cannot be credited twice."""
    tenths = to_tenths(hours)
    if tenths <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The date is in the future.")})
    if course is None and not description.strip():
        raise ValidationError({"description": _("Name the training or choose a course.")})
    if course is not None and course.region_id not in selectors.course_regions(
        teacher.school.county
    ):
        # Only a course of a region on the teacher's path (``selectors.creditable_courses``);
        # the doors look courses up there, this is the last line.
        raise ValidationError({"course": _("No course has this code.")})
    direct = approves_directly(actor) and source != Source.SELF
    record = TrainingRecord(
        teacher=teacher,
        course=course,
        description=description.strip()[:200],
        hours_tenths=tenths,
        completed_on=completed_on,
        level=level,
        category=category,
        mode=mode,
        source=source,
        created_by=actor,
        import_job=import_job,
        status=RecordStatus.APPROVED if direct else RecordStatus.PENDING,
        reviewed_by=actor if direct else None,
        reviewed_at=timezone.now() if direct else None,
    )
    if evidence is not None:
        record.evidence = evidence
    try:
        record.full_clean(exclude=["evidence"] if evidence is None else None)
    except ValidationError as exc:
        raise _on_the_course(exc) from None
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError(
            {"course": _("This teacher is already credited for this course.")}
        ) from None
    if direct:
        summary_refresh(teacher_ids=[teacher.pk])
    audit_record(
        actor=actor,
        action="training_record.create",
        obj=record,
        region=teacher.school.county,
        detail={"hours": str(record.hours), "status": record.status},
    )
    return record


def _on_the_course(exc: ValidationError) -> ValidationError:
    """``one_credit_per_course`` is about the course: its error goes on that field."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors = dict(exc.error_dict)
    general = errors.pop(NON_FIELD_ERRORS, [])
    moved = [e for e in general if e.code == ALREADY_CREDITED]
    rest = [e for e in general if e.code != ALREADY_CREDITED]
    if not moved:
        return exc
    errors["course"] = errors.get("course", []) + moved
    if rest:
        errors[NON_FIELD_ERRORS] = rest
    return ValidationError(errors)


@transaction.atomic
def records_review(*, records, actor, approve: bool, reason: str = "") -> int:
    """Approve or reject pending records (already restricted to the reviewer's scope)."""
    pending = list(records.select_for_update(of=("self",)).filter(status=RecordStatus.PENDING))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    now = timezone.now()
    for record in pending:
        record.status = RecordStatus.APPROVED if approve else RecordStatus.REJECTED
        record.reject_reason = "" if approve else reason.strip()[:200]
        record.reviewed_by, record.reviewed_at = actor, now
    TrainingRecord.objects.bulk_update(
        pending, ["status", "reject_reason", "reviewed_by", "reviewed_at"]
    )
    for record in pending:
        audit_record(
            actor=actor,
            action="training_record.approve" if approve else "training_record.reject",
            obj=record,
            detail={"reason": reason[:200]},
        )
    summary_refresh(teacher_ids=list({r.teacher_id for r in pending}))
    return len(pending)


@transaction.atomic
def record_reverse(*, record: TrainingRecord, actor, reason: str) -> TrainingRecord:
    """Take back an approved credit with a new, negative record."""
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.APPROVED or record.reverses_id or record.is_reversed:
        raise ValidationError(
            _("Only an approved credit that is not yet reversed can be reversed.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the correction.")})
    reversal = TrainingRecord.objects.create(
        teacher=record.teacher,
        course=record.course,
        description=_("Correction: %(reason)s") % {"reason": reason.strip()[:150]},
        hours_tenths=-record.hours_tenths,
        completed_on=record.completed_on,
        level=record.level,
        category=record.category,
        mode=record.mode,
        source=Source.STAFF,
        status=RecordStatus.APPROVED,
        reverses=record,
        created_by=actor,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    record.is_reversed = True
    record.save(update_fields=["is_reversed"])
    audit_record(
        actor=actor,
        action="training_record.reverse",
        obj=record,
        detail={"reason": reason[:200], "reversal": reversal.pk},
    )
    summary_refresh(teacher_ids=[record.teacher_id])
    return reversal


@transaction.atomic
def rule_set_create(*, region: Region, actor=None, **fields) -> RuleSet:
    rule_set = RuleSet(region=region, **fields)
    rule_set.full_clean()
    rule_set_check_floor(rule_set)
    rule_set.save()
    audit_record(actor=actor, action="training_rule_set.create", obj=rule_set, region=region)
    return rule_set


def rule_set_check_floor(rule_set: RuleSet) -> None:
    """Refuse a rule set that asks less than the rule set in force for the regions above it
    (``rules.floor_shortfalls``), with one message per figure naming that region and its
    figure. Checked against every rule set above that this one would override: the one in
    force on its effective date and any later one before the region's own next rule set.
    The province has nothing above it. Call after ``full_clean``."""
    if rule_set.region_id is None or rule_set.effective_from is None:
        return
    errors: dict[str, list[str]] = {}
    rule = rule_set.as_rule()
    for above in selectors.rule_sets_above(rule_set.region, rule_set.effective_from):
        try:
            parent = above.as_rule()
        except BrokenRuleSet:
            raise ValidationError(
                _(
                    "The rule set in force for %(region)s from %(date)s cannot be read; ask "
                    "its bureau to correct it first."
                )
                % {"region": above.region.name, "date": above.effective_from.isoformat()}
            ) from None
        for short in rules.floor_shortfalls(rule, parent, modes=Mode.values):
            errors.setdefault(short.field, []).append(_floor_message(short, rule, parent, above))
    if errors:
        raise ValidationError(errors)


def _floor_message(short, rule: rules.Rule, parent: rules.Rule, above: RuleSet) -> str:
    label = capfirst(RuleSet._meta.get_field(short.field).verbose_name)
    message = _(
        "%(field)s may not be below the rule set in force for %(region)s from %(date)s: "
        "%(figure)s %(unit)s."
    ) % {
        "field": label,
        "region": above.region.name,
        "date": above.effective_from.isoformat(),
        "figure": rules.fmt(short.parent_figure),
        "unit": parent.unit_label,
    }
    if short.floor != short.parent_figure or rule.unit != parent.unit:
        message += " " + _(
            "Converted by the hours a unit stands for in each mode, this rule set must ask "
            "at least %(floor)s %(unit)s."
        ) % {"floor": rules.fmt(short.floor), "unit": rule.unit_label}
    return message


# --- Summaries ----------------------------------------------------------------------------------


def summary_refresh(*, teacher_ids: list[int], as_of: date | None = None) -> int:
    """Recompute the summaries of a few teachers (after a review or an import)."""
    if not teacher_ids:
        return 0
    return summaries_recompute(teachers=Teacher.objects.filter(pk__in=teacher_ids), as_of=as_of)


def summaries_recompute(*, teachers=None, as_of: date | None = None) -> int:
    """Recompute every summary of ``teachers`` (default: all serving teachers) as of a date:
    one grouped query per rule set over the ledger, the rules applied to the rows it returns,
    and one upsert. Idempotent: a rerun writes the same figures."""
    as_of = as_of or timezone.localdate()
    if teachers is None and bulk.is_postgresql():
        return _recompute_all_in_sql(as_of)
    teachers = teachers if teachers is not None else Teacher.objects.filter(status="serving")
    rows = list(teachers.values_list("pk", "school__county_id"))
    counties = list(Region.objects.filter(pk__in={c for _pk, c in rows}))
    by_county = selectors.rule_sets_by_county(counties, as_of)
    groups: dict[int, list[int]] = {}
    for pk, county_id in rows:
        rule_set = by_county.get(county_id)
        if rule_set is not None:
            groups.setdefault(rule_set.pk, []).append(pk)
    rule_sets = {r.pk: r for r in by_county.values()}
    principals = dict(
        ServicePeriod.objects.filter(role=ServiceRole.PRINCIPAL, teacher__in=teachers)
        .values("teacher_id")
        .annotate(since=Min("start"))
        .values_list("teacher_id", "since")
    )
    summaries = []
    for rule_set_id, ids in groups.items():
        rule_set = rule_sets[rule_set_id]
        try:
            rule = rule_set.as_rule()
        except BrokenRuleSet as exc:
            _skipped(exc, teachers=len(ids))
            continue
        cycle = rules.cycle_of(rule, as_of)
        in_group = teachers.filter(
            school__county_id__in=[c for c, r in by_county.items() if r.pk == rule_set_id]
        ).values("pk")
        sums = selectors.ledger_totals(in_group, rule, cycle)
        first_year = _principal_first_year(
            {t: s for t, s in principals.items() if s >= cycle.start}, rule
        )
        for pk in ids:
            totals = selectors.totals_from_sums(sums.get(pk), rule, cycle)
            since = principals.get(pk)
            recent = since if since and since >= cycle.start else None
            if recent:
                totals.principal_first_year = first_year.get(pk, Decimal(0))
            result = rules.assess(
                totals,
                rule,
                as_of=as_of,
                is_principal=since is not None,
                principal_since=recent,
                explain=False,
            )
            summaries.append((pk, rule_set.pk, cycle.start.year, result))
    _upsert(summaries, as_of)
    return len(summaries)


@transaction.atomic
def _recompute_all_in_sql(as_of: date) -> int:
    """Every serving teacher: one statement per rule set (``sql.recompute``), then the
    principals appointed within their cycle through the Python path."""
    from . import sql

    counties = list(Region.objects.filter(level="county"))
    by_county = selectors.rule_sets_by_county(counties, as_of)
    groups: dict[int, list[int]] = {}
    for county_id, rule_set in by_county.items():
        groups.setdefault(rule_set.pk, []).append(county_id)
    rule_sets = {r.pk: r for r in by_county.values()}
    written = 0
    recent_principals = []
    for rule_set_id, county_ids in groups.items():
        try:
            rule = rule_sets[rule_set_id].as_rule()
        except BrokenRuleSet as exc:
            _skipped(exc, counties=len(county_ids))
            continue
        written += sql.recompute(
            rule_set_id=rule_set_id, rule=rule, counties=county_ids, as_of=as_of
        )
        cycle = rules.cycle_of(rule, as_of)
        recent_principals += list(
            ServicePeriod.objects.filter(
                role=ServiceRole.PRINCIPAL,
                teacher__status="serving",
                teacher__school__county_id__in=county_ids,
            )
            .values("teacher_id")
            .annotate(since=Min("start"))
            .filter(since__gte=cycle.start)
            .values_list("teacher_id", flat=True)
        )
    if recent_principals:
        written += summaries_recompute(
            teachers=Teacher.objects.filter(pk__in=recent_principals), as_of=as_of
        )
    # Teachers who left or retired keep no summary.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM training_trainingsummary s WHERE NOT EXISTS (SELECT 1 FROM "
            "portal_teacher t WHERE t.id = s.teacher_id AND t.status = 'serving')"
        )
    return written  # summaries whose figures changed


def _skipped(exc: BrokenRuleSet, **how_many) -> None:
    """A rule set that cannot be read: its regions keep yesterday's summaries, every other
    region is recomputed, and the error says which rule set to correct."""
    logger.error(
        "%s; the summaries it governs were not recomputed (%s)",
        exc,
        ", ".join(f"{count} {what}" for what, count in how_many.items()),
    )


def _principal_first_year(since_by_teacher: dict[int, date], rule: rules.Rule) -> dict:
    """Principal-qualification credit in each recent principal's first year (few teachers)."""
    if not since_by_teacher or not rule.principal_first_year:
        return {}
    totals: dict[int, Decimal] = {}
    records = TrainingRecord.objects.filter(
        teacher_id__in=list(since_by_teacher),
        status=RecordStatus.APPROVED,
        category=Category.PRINCIPAL,
    ).values_list("teacher_id", "hours_tenths", "mode", "completed_on")
    for teacher_id, tenths, mode, completed in records:
        since = since_by_teacher[teacher_id]
        if since <= completed <= rules.first_year_end(since):
            value = rules.record_value(Decimal(tenths) / 10, mode, rule)
            totals[teacher_id] = totals.get(teacher_id, Decimal(0)) + value
    return totals


def _one(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@transaction.atomic
def _upsert(summaries, as_of: date) -> None:
    teacher_ids = [pk for pk, *_rest in summaries]
    if bulk.is_postgresql():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM training_trainingsummary WHERE teacher_id = ANY(%s)", [teacher_ids]
            )
    else:
        for start in range(0, len(teacher_ids), 900):
            TrainingSummary.objects.filter(teacher_id__in=teacher_ids[start : start + 900]).delete()
    bulk.insert_values(
        TrainingSummary,
        [
            "teacher_id",
            "rule_set_id",
            "cycle_start",
            "credited",
            "required",
            "county_or_above",
            "ethics_this_year",
            "status",
            "as_of",
        ],
        [
            (
                pk,
                rule_set_id,
                cycle_start,
                _one(r.credited),
                _one(r.required),
                _one(r.county_or_above),
                _one(r.ethics_this_year),
                r.status,
                as_of,
            )
            for pk, rule_set_id, cycle_start, r in summaries
        ],
        returning=False,
    )
