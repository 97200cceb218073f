"""Writes of the training ledger. Records are append-only: a correction is a reversal; only
the review of a pending record fills in its status."""

from __future__ import annotations

import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal import bulk, permissions
from portal import rules as kernel_rules
from portal.choices import ServiceRole
from portal.models import Region, ServicePeriod, Teacher
from portal.rules import add_years
from portal.selectors import service_bounds
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
    return user is not None and permissions.is_school_or_bureau_staff(user)


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
    missed=0,
) -> TrainingRecord:
    """Add a credit. Self-reports wait for the school's review; records entered by staff are
    approved at once. The same course cannot be credited twice."""
    tenths = to_tenths(hours)
    if course is not None:
        # A course's level, category and mode are the course's, whatever the door sent.
        level, category, mode = course.level, course.category, course.mode
    problems = rules.record_problems(
        hours=Decimal(tenths) / 10,
        completed_on=completed_on,
        course=course,
        missed=Decimal(to_tenths(missed or 0)) / 10,
    )
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        raise ValidationError(errors)
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The date is in the future.")})
    began, _left = service_bounds([teacher.pk]).get(teacher.pk, (None, None))
    problem = kernel_rules.before_service_problem(completed_on, began)
    if problem:
        raise ValidationError({"completed_on": problem})
    missed_tenths = to_tenths(missed or 0)
    if missed_tenths < 0:
        raise ValidationError({"missed": _("Hours missed cannot be negative.")})
    if course is None and not description.strip():
        raise ValidationError({"description": _("Name the training or choose a course.")})
    if course is not None and course.region_id not in selectors.course_regions(
        teacher.school.county
    ):
        # Only a course of a region on the teacher's path (``selectors.creditable_courses``);
        # the doors look courses up there, this is the last line.
        raise ValidationError({"course": _("No course has this code.")})
    if course is not None and course.provider_id:
        provider = course.provider
        problem = rules.provider_problem(
            provider=provider.name,
            qualified=provider.qualified,
            qualified_until=provider.qualified_until,
            on=completed_on,
        )
        if problem:
            raise ValidationError({"course": problem})
    direct = approves_directly(actor) and source != Source.SELF
    record = TrainingRecord(
        teacher=teacher,
        course=course,
        description=description.strip()[:200],
        hours_tenths=tenths,
        missed_tenths=missed_tenths,
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


def _approval_problem(record: TrainingRecord, began: date | None) -> str | None:
    """Checked again when a pending record is approved, as when it was entered: the
    provider's qualification on the record's date, and the teacher's entry into service."""
    course = record.course
    if course is not None and course.provider_id:
        problem = rules.provider_problem(
            provider=course.provider.name,
            qualified=course.provider.qualified,
            qualified_until=course.provider.qualified_until,
            on=record.completed_on,
        )
        if problem:
            return problem
    return kernel_rules.before_service_problem(record.completed_on, began)


@transaction.atomic
def records_review(*, records, actor, approve: bool, reason: str = "") -> int:
    """Approve or reject pending records (already restricted to the reviewer's scope). A
    record that can no longer be credited (its provider lost its qualification, the
    teacher's service is now known to start later) is rejected with that reason instead of
    approved. Returns how many were approved or rejected as asked."""
    pending = list(
        records.select_for_update(of=("self",))
        .filter(status=RecordStatus.PENDING)
        .select_related("course__provider")
    )
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the rejection.")})
    now = timezone.now()
    bounds = service_bounds({r.teacher_id for r in pending}) if approve else {}
    refused = 0
    for record in pending:
        problem = (
            _approval_problem(record, bounds.get(record.teacher_id, (None, None))[0])
            if approve
            else None
        )
        refused += problem is not None
        record.status = RecordStatus.APPROVED if approve and not problem else RecordStatus.REJECTED
        record.reject_reason = ((problem or "") if approve else reason.strip())[:200]
        record.reviewed_by, record.reviewed_at = actor, now
    TrainingRecord.objects.bulk_update(
        pending, ["status", "reject_reason", "reviewed_by", "reviewed_at"]
    )
    for record in pending:
        audit_record(
            actor=actor,
            action="training_record.approve"
            if record.status == RecordStatus.APPROVED
            else "training_record.reject",
            obj=record,
            detail={"reason": (record.reject_reason or reason)[:200]},
        )
    summary_refresh(teacher_ids=list({r.teacher_id for r in pending}))
    return len(pending) - refused


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
        missed_tenths=record.missed_tenths,
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
def rule_set_create(*, region: Region, actor=None, backdate: bool = False, **fields) -> RuleSet:
    """A new version of a region's rules, from a date. Figures already computed stay those of
    the rules then in force: a new version starts today or later (``backdate`` is for
    loading a region's history from a command, never for the pages)."""
    rule_set = RuleSet(region=region, **fields)
    rule_set.full_clean()
    rule_set_validate(rule_set, backdate=backdate)
    rule_set.save()
    audit_record(actor=actor, action="training_rule_set.create", obj=rule_set, region=region)
    return rule_set


AHEAD_YEARS = 5  # a new version may be announced up to a cycle ahead


def rule_set_validate(rule_set: RuleSet, *, backdate: bool = False) -> None:
    """Every check a new rule set must pass beyond its fields, each problem reported at once:
    it starts today or later (unless loading history) and at most a cycle ahead; it meets
    the floor of the regions above; no region below undercuts it. The service, the page and
    the admin call this one function. Call after ``full_clean``."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if rule_set.effective_from is not None and not backdate:
        if rule_set.effective_from < today:
            errors["effective_from"] = [
                _(
                    "A rule set starts today or later (%(today)s): figures already computed "
                    "stay those of the rules then in force."
                )
                % {"today": today.isoformat()}
            ]
        elif rule_set.effective_from.year > today.year + AHEAD_YEARS:
            errors["effective_from"] = [
                _("A rule set may be announced at most %(years)d years ahead.")
                % {"years": AHEAD_YEARS}
            ]
    for check in (rule_set_check_floor, rule_set_check_below):
        try:
            check(rule_set)
        except ValidationError as exc:
            for field, messages in exc.update_error_dict({}).items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


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
        for name in rules.setting_shortfalls(rule, parent):
            errors.setdefault(name, []).append(
                _(
                    "%(field)s may not be more lenient than the rule set in force for "
                    "%(region)s from %(date)s."
                )
                % {
                    "field": capfirst(RuleSet._meta.get_field(name).verbose_name),
                    "region": above.region.name,
                    "date": above.effective_from.isoformat(),
                }
            )
    if errors:
        raise ValidationError(errors)


def rule_set_check_below(rule_set: RuleSet) -> None:
    """Refuse a rule set that regions below already undercut: a lower region's rule set in
    force from its effective date on (which would outrank it) must meet it, or be raised
    first. The message names each region and date."""
    if rule_set.region_id is None or rule_set.effective_from is None:
        return
    rule = rule_set.as_rule()
    below = (
        RuleSet.objects.filter(region__path__startswith=rule_set.region.subtree_prefix)
        .exclude(region_id=rule_set.region_id)
        .select_related("region")
        .order_by("region_id", "effective_from")
    )
    by_region: dict[int, list[RuleSet]] = {}
    for lower in below:
        by_region.setdefault(lower.region_id, []).append(lower)
    undercut = []
    for versions in by_region.values():
        in_force = [v for v in versions if v.effective_from <= rule_set.effective_from][-1:]
        later = [v for v in versions if v.effective_from > rule_set.effective_from]
        for lower in in_force + later:
            try:
                lower_rule = lower.as_rule()
            except BrokenRuleSet:
                continue  # skipped by the recompute; its bureau corrects it
            if rules.floor_shortfalls(lower_rule, rule, modes=Mode.values) or (
                rules.setting_shortfalls(lower_rule, rule)
            ):
                undercut.append(f"{lower.region.name}（{lower.effective_from.isoformat()}）")
    if undercut:
        raise ValidationError(
            _(
                "Rule sets of regions below would ask less than this one and outrank it: "
                "%(regions)s. Their bureaus raise them first, or this one asks less."
            )
            % {"regions": "、".join(undercut)}
        )


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
    as_of = as_of or timezone.localdate()
    ids = sorted(set(teacher_ids))
    if bulk.is_postgresql():
        return _recompute_in_sql(as_of, teacher_ids=ids)  # one array parameter
    return sum(
        summaries_recompute_by_rules(
            teachers=Teacher.objects.filter(pk__in=ids[start : start + 900]), as_of=as_of
        )
        for start in range(0, len(ids), 900)
    )


def summaries_refresh_after_teachers_changed(teacher_ids: list[int]) -> None:
    """The kernel created, changed, moved or retired these teachers (``portal.hooks``):
    their summaries are recomputed in the same transaction."""
    summary_refresh(teacher_ids=teacher_ids)


def summaries_recompute(*, teachers=None, as_of: date | None = None) -> int:
    """Recompute the summaries of ``teachers`` (default: every teacher) as of a date; a
    teacher who is not serving keeps none. On PostgreSQL one statement per rule set
    (``sql.recompute``, proven equal to the rules by a test); elsewhere, and for principals
    appointed within the cycle, the rules themselves (``summaries_recompute_by_rules``).
    Idempotent: a rerun writes the same figures. Returns how many summaries were written."""
    as_of = as_of or timezone.localdate()
    if bulk.is_postgresql():
        ids = None if teachers is None else list(teachers.values_list("pk", flat=True))
        return _recompute_in_sql(as_of, teacher_ids=ids)
    return summaries_recompute_by_rules(teachers=teachers, as_of=as_of)


BATCH = 2000  # teachers whose records are in memory at once


def summaries_recompute_by_rules(*, teachers=None, as_of: date | None = None) -> int:
    """The definition, teacher by teacher: each teacher's approved records read as
    ``rules.Item``s, ``rules.totals_from_items`` and ``rules.assess`` (what the teacher's
    own page shows), in batches. A teacher whose figures cannot be computed is logged and
    skipped; every other summary is written."""
    as_of = as_of or timezone.localdate()
    teachers = teachers if teachers is not None else Teacher.objects.all()
    _drop_summaries_of_leavers(teachers)
    rows = list(teachers.filter(status="serving").values_list("pk", "school__county_id"))
    counties = list(Region.objects.filter(pk__in={c for _pk, c in rows}))
    by_county = selectors.rule_sets_by_county(counties, as_of)
    groups: dict[int, list[int]] = {}
    for pk, county_id in rows:
        rule_set = by_county.get(county_id)
        if rule_set is not None:
            groups.setdefault(rule_set.pk, []).append(pk)
    rule_sets = {r.pk: r for r in by_county.values()}
    written = failed = 0
    for rule_set_id, ids in groups.items():
        try:
            rule = rule_sets[rule_set_id].as_rule()
        except BrokenRuleSet as exc:
            _skipped(exc, teachers=len(ids))
            continue
        cycle = rules.cycle_of(rule, as_of)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            summaries, errors = _assess_batch(chunk, rule, cycle, as_of)
            for pk in errors:
                logger.error(
                    "training summary of teacher %s could not be computed; the others were written",
                    pk,
                    exc_info=errors[pk],
                )
            _upsert([(pk, rule_set_id, cycle.start.year, r) for pk, r in summaries], as_of)
            written += len(summaries)
            failed += len(errors)
    if failed:
        logger.error("%d training summaries could not be computed", failed)
    return written


def _assess_batch(ids: list[int], rule: rules.Rule, cycle: rules.Cycle, as_of: date):
    principals = selectors.principals(ids)
    bounds = service_bounds(ids)
    items: dict[int, list[rules.Item]] = {}
    # The cycle's records, and principal training before it (a first year that began in
    # the year before the cycle).
    records = TrainingRecord.objects.filter(
        Q(completed_on__gte=cycle.start) | Q(category=Category.PRINCIPAL),
        teacher_id__in=ids,
        status=RecordStatus.APPROVED,
    ).values_list(
        "teacher_id", "hours_tenths", "mode", "category", "level", "completed_on", "missed_tenths"
    )
    for teacher_id, tenths, mode, category, level, completed, missed in records.order_by():
        items.setdefault(teacher_id, []).append(
            rules.Item(Decimal(tenths) / 10, mode, category, level, completed, Decimal(missed) / 10)
        )
    summaries, errors = [], {}
    for pk in ids:
        try:
            principal = principals.get(pk)
            recent = principal.first_year_from(cycle) if principal else None
            began, left = bounds.get(pk, (None, None))
            totals = rules.totals_from_items(items.get(pk, []), rule, cycle, principal_since=recent)
            result = rules.assess(
                totals,
                rule,
                as_of=as_of,
                is_principal=principal is not None,
                principal_since=recent,
                began=began,
                left=left,
                explain=False,
            )
        except Exception as exc:  # one teacher's bad data never stops the others
            errors[pk] = exc
            continue
        summaries.append((pk, result))
    return summaries, errors


def _drop_summaries_of_leavers(teachers) -> None:
    """Teachers who left or retired keep no summary."""
    TrainingSummary.objects.filter(
        teacher__in=teachers.exclude(status="serving").values("pk")
    ).delete()


@transaction.atomic
def _recompute_in_sql(as_of: date, teacher_ids: list[int] | None = None) -> int:
    """Every serving teacher (or those of ``teacher_ids``): one statement per rule set
    (``sql.recompute``), then the principals appointed within their cycle by the rules."""
    from django.db import connection

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
            rule_set_id=rule_set_id,
            rule=rule,
            counties=county_ids,
            as_of=as_of,
            teacher_ids=teacher_ids,
        )
        cycle = rules.cycle_of(rule, as_of)
        principals = ServicePeriod.objects.filter(
            role=ServiceRole.PRINCIPAL,
            teacher__status="serving",
            teacher__school__county_id__in=county_ids,
        )
        # Principals whose first year reaches into the cycle go through the rules.
        first_year_reaches = add_years(cycle.start, -1)
        if teacher_ids is not None:
            principals = principals.filter(
                teacher_id__in=RawSQL("SELECT unnest(%s::bigint[])", [teacher_ids])
            )
        recent_principals += list(
            principals.values("teacher_id")
            .annotate(since=Min("start"))
            .filter(since__gte=first_year_reaches)
            .values_list("teacher_id", flat=True)
        )
    if recent_principals:
        written += summaries_recompute_by_rules(
            teachers=Teacher.objects.filter(pk__in=recent_principals), as_of=as_of
        )
    # Teachers who left or retired keep no summary.
    leavers = (
        "DELETE FROM training_trainingsummary s WHERE NOT EXISTS (SELECT 1 FROM "
        "portal_teacher t WHERE t.id = s.teacher_id AND t.status = 'serving')"
    )
    with connection.cursor() as cursor:
        if teacher_ids is None:
            cursor.execute(leavers)
        else:
            cursor.execute(leavers + " AND s.teacher_id = ANY(%s)", [teacher_ids])
    return written  # summaries whose figures changed


def _skipped(exc: BrokenRuleSet, **how_many) -> None:
    """A rule set that cannot be read: its regions keep yesterday's summaries, every other
    region is recomputed, and the error says which rule set to correct."""
    logger.error(
        "%s; the summaries it governs were not recomputed (%s)",
        exc,
        ", ".join(f"{count} {what}" for what, count in how_many.items()),
    )


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
