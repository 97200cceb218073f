"""Reads of the talent ladder: the facts eligibility needs, for many teachers at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from portal import rules as kernel_rules
from portal import selectors as kernel_selectors
from portal.models import Region, ServicePeriod, Teacher
from training import shapes

from . import rules
from .models import Programme, TalentRule, Title, read_stages


def titles_in_force(teacher_ids, on: date) -> dict[int, set[int]]:
    rows = (
        Title.objects.in_force(on)
        .filter(teacher_id__in=teacher_ids)
        .values_list("teacher_id", "tier_id")
    )
    held: dict[int, set[int]] = {}
    for teacher_id, tier_id in rows:
        held.setdefault(teacher_id, set()).add(tier_id)
    return held


def ethics_vetoes(ids, on: date) -> dict[int, str]:
    """The sanction in force on ``on`` for each teacher that has one (师德一票否决)."""
    return kernel_selectors.ethics_vetoes(ids, on)


def rural_periods(ids) -> tuple[dict[int, list], dict[int, list]]:
    """Each teacher's service periods at rural or weak schools (N §2.7), and at rural schools
    only (Z, the 15 / 30 years), as intervals for ``portal.rules``."""
    rural_or_weak: dict[int, list] = {}
    rural: dict[int, list] = {}
    for teacher_id, start, end, is_rural, is_weak in ServicePeriod.objects.filter(
        teacher_id__in=ids
    ).values_list("teacher_id", "start", "end", "school__is_rural", "school__is_weak"):
        interval = kernel_rules.Interval(start, end)
        if is_rural or is_weak:
            rural_or_weak.setdefault(teacher_id, []).append(interval)
        if is_rural:
            rural.setdefault(teacher_id, []).append(interval)
    return rural_or_weak, rural


def teacher_facts(teachers: list[Teacher], *, on: date) -> dict[int, rules.TeacherFacts]:
    """Eligibility facts for many teachers in four queries (titles, sanctions, periods,
    training summaries), whatever their number."""
    ids = [t.pk for t in teachers]
    held = titles_in_force(ids, on)
    vetoes = ethics_vetoes(ids, on)
    periods, _rural = rural_periods(ids)
    from training.models import TrainingSummary

    credited = dict(
        TrainingSummary.objects.filter(teacher_id__in=ids).values_list("teacher_id", "credited")
    )
    facts = {}
    for teacher in Teacher.objects.filter(pk__in=ids).select_related("school__county"):
        facts[teacher.pk] = rules.TeacherFacts(
            region_path=teacher.school.county.path,
            stage=teacher.stage,
            titles_in_force=frozenset(held.get(teacher.pk, set())),
            ethics_veto=vetoes.get(teacher.pk),
            rural_or_weak_days=kernel_rules.service_days(periods.get(teacher.pk, []), as_of=on),
            training_credited=credited.get(teacher.pk),
        )
    return facts


def visible_programmes(user):
    """Programmes run by the user's region, below it, or above it (a county nominates into
    its city's programmes)."""
    if user.is_superuser:
        return Programme.objects.all()
    if user.region_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(
        Q(region__path__startswith=user.region.subtree_prefix)
        | Q(region_id__in=user.region.path_ids)
    )


def programme_rules(programme: Programme) -> rules.ProgrammeRules:
    draws = list(programme.draws_from.all())
    tier = programme.tier
    return rules.ProgrammeRules(
        region_path=programme.region.path,
        stages=frozenset(
            shapes.stored(
                read_stages,
                programme.stages,
                default=[],
                what=f"stages of programme {programme.pk}",
            )
        ),
        draws_from=frozenset(t.pk for t in draws),
        requires_rural_years=tier.rural_years_required,
        rural_stages=frozenset(
            shapes.stored(
                read_stages, tier.rural_stages, default=[], what=f"rural stages of tier {tier.pk}"
            )
        ),
        min_training=programme.min_training,
        tier_name=tier.name,
        prerequisite_names=tuple(t.name for t in draws),
        name=programme.name,
        window_end=programme.window_end,
        window_start=programme.window_start,
    )


def open_programmes(user, on: date):
    """The programmes visible to ``user`` that still take nominations on ``on``."""
    return visible_programmes(user).filter(window_end__gte=on)


# --- Senior titles (高级职称) and principal candidates ----------------------------------------


def talent_rule_for(region: Region) -> TalentRule | None:
    """The conditions in force for ``region``: the lowest region on the way up that has
    them, or None."""
    found = {r.region_id: r for r in TalentRule.objects.filter(region_id__in=region.path_ids)}
    for pk in reversed(region.path_ids):
        if pk in found:
            return found[pk]
    return None


def title_rule(rule: TalentRule) -> rules.TitleRule:
    return rules.TitleRule(
        name=rule.name,
        rural_years=rule.rural_years_required,
        rural_stages=frozenset(
            shapes.stored(
                read_stages,
                rule.rural_stages,
                default=[],
                what=f"rural stages of talent rule {rule.pk}",
            )
        ),
        registration_bars=rule.registration_bars,
        outside_quota_intermediate_years=rule.outside_quota_intermediate_years,
        outside_quota_senior_years=rule.outside_quota_senior_years,
        principal_rural_years=rule.principal_rural_years_preferred,
    )


def senior_title_check(teacher: Teacher, *, on: date) -> tuple[TalentRule, rules.TitleCheck] | None:
    """May ``teacher`` apply for a senior title on ``on``, under their region's conditions?
    None when no region above the teacher's school has set any."""
    rule = talent_rule_for(teacher.school.county)
    if rule is None:
        return None
    rural_or_weak, rural = rural_periods([teacher.pk])
    applicant = rules.TitleApplicant(
        stage=teacher.stage,
        ethics_veto=ethics_vetoes([teacher.pk], on).get(teacher.pk),
        registration=teacher.registration,
        registration_label=teacher.get_registration_display(),
        rural_or_weak_days=kernel_rules.service_days(rural_or_weak.get(teacher.pk, []), as_of=on),
        rural_years=kernel_rules.completed_years(rural.get(teacher.pk, []), as_of=on),
    )
    return rule, rules.senior_title_check(applicant, title_rule(rule))


# --- What targets count ----------------------------------------------------------------------


def goal(target) -> rules.Goal:
    """A target as the counting rule reads it (a bad stored shape: ValidationError)."""
    return rules.Goal(
        kind=target.kind,
        tiers=frozenset(t.pk for t in target.tiers.all()),
        plan_start=target.plan_start,
        deadline=target.deadline,
        stages=frozenset(read_stages(target.stages)),
        include_vocational=target.include_vocational,
        studio_level=target.studio_level,
    )


def rotation_rule(target) -> rules.RotationRule:
    return rules.RotationRule(
        years_at_school=target.rotation_years_at_school,
        years_to_retirement=target.rotation_years_to_retirement,
        retirement_age_men=target.retirement_age_men,
        retirement_age_women=target.retirement_age_women,
    )


def counted_staff(target):
    """The full-time serving teachers a share or a rotation target counts (基础教育专任教师,
    中职 where the target says so, of the target's stages)."""
    stages = rules.counted_stages(goal(target))
    return Teacher.objects.filter(status="serving", is_full_time=True, stage__in=stages)


def rotation_eligibility(teacher_ids, rule: rules.RotationRule, on: date) -> set[int]:
    """Of ``teacher_ids`` (a list or a queryset of ids), those eligible to rotate on ``on``
    (``rules.rotation_eligible``): one query for the teachers, one for their periods."""
    people = dict(
        (pk, (birth, gender))
        for pk, birth, gender in Teacher.objects.filter(pk__in=teacher_ids).values_list(
            "pk", "birth_date", "gender"
        )
    )
    if not rule.conditional:
        return set(people)
    periods: dict[int, list] = {}
    if rule.years_at_school is not None:
        for teacher_id, school_id, start, end in ServicePeriod.objects.filter(
            teacher_id__in=teacher_ids, start__lte=on
        ).values_list("teacher_id", "school_id", "start", "end"):
            periods.setdefault(teacher_id, []).append(rules.Period(school_id, start, end))
    return {
        pk
        for pk, (birth, gender) in people.items()
        if rules.rotation_eligible(
            periods=periods.get(pk, ()), birth_date=birth, gender=gender, on=on, rule=rule
        )
    }


def rotation_pool(target, on: date) -> dict[int, int]:
    """The teachers eligible to rotate this year (judged on the year's first day), each
    with their county."""
    staff = counted_staff(target)
    day = rules.rotation_year_start(goal(target), on)
    eligible = rotation_eligibility(staff.values("pk"), rotation_rule(target), day)
    return {
        pk: county for pk, county in staff.values_list("pk", "school__county_id") if pk in eligible
    }


def attainment_facts(target, on: date) -> dict:
    """Everything ``rules.target_counts`` reads for ``target``, loaded row by row: the
    reference the nightly job's grouped queries are tested against."""
    from portal.models import School

    from .models import Rotation, Studio

    target_goal = goal(target)
    day = rules.rotation_year_start(target_goal, on)
    eligible = (
        rotation_eligibility(Teacher.objects.values("pk"), rotation_rule(target), day)
        if target.kind in ("rotation", "rotation_backbone")
        else None
    )
    staff = {
        pk: rules.StaffRow(
            id=pk,
            county_id=county,
            serving=status == "serving",
            full_time=full_time,
            stage=stage,
            eligible_to_rotate=eligible is None or pk in eligible,
        )
        for pk, county, status, full_time, stage in Teacher.objects.values_list(
            "pk", "school__county_id", "status", "is_full_time", "stage"
        )
    }
    return {
        "staff": staff,
        "titles": [
            rules.TitleRow(*row)
            for row in Title.objects.values_list(
                "teacher_id", "tier_id", "awarded_on", "valid_until", "revoked_on"
            )
        ],
        "rotations": [
            rules.RotationRow(*row)
            for row in Rotation.objects.values_list("teacher_id", "from_school__county_id", "start")
        ],
        "studios": [
            rules.StudioRow(*row)
            for row in Studio.objects.values_list(
                "level", "region_id", "school_id", "school__county_id", "founded_on", "closed_on"
            )
        ],
        "schools": dict(School.objects.values_list("pk", "county_id")),
        "units": list(Region.objects.filter(level=target.studio_level).values_list("pk", flat=True))
        if target.studio_level and target.studio_level != "school"
        else [],
    }


# --- Dashboards ----------------------------------------------------------------------------


def latest_snapshots(user, region):
    """The latest snapshot of every target for ``region``, with its path over time, in two
    queries."""
    from portal.scope import scope_queryset

    from .models import Attainment

    snapshots = list(
        scope_queryset(user, Attainment.objects.filter(region=region))
        .select_related("target")
        .order_by("target__plan", "target__name", "as_of")
    )
    by_target: dict[int, list] = {}
    for snapshot in snapshots:
        by_target.setdefault(snapshot.target_id, []).append(snapshot)
    return [(path[-1], path) for path in by_target.values()]


def parts_table(user, region) -> dict:
    """Targets set for each part of ``region`` (each county's 15 %, its rotation share …):
    the parts as rows, the targets as columns, the latest snapshot in each cell — for the
    county table coloured by status. Two queries."""
    from portal.models import Region
    from portal.scope import scope_queryset

    from .models import Attainment

    latest = (
        scope_queryset(user, Attainment.objects.filter(region__parent=region))
        .exclude(target__applies_to="")
        .order_by("target_id", "region_id", "-as_of")
        .select_related("target")
    )
    cells: dict[tuple[int, int], object] = {}
    targets: dict[int, object] = {}
    for snapshot in latest:
        key = (snapshot.region_id, snapshot.target_id)
        if key not in cells:
            cells[key] = snapshot
            targets[snapshot.target_id] = snapshot.target
    if not cells:
        return {"targets": [], "rows": []}
    columns = sorted(targets.values(), key=lambda t: (t.plan, t.name))
    parts = scope_queryset(user, Region.objects.filter(parent=region)).order_by("code")
    rows = [
        {"region": part, "cells": [cells.get((part.pk, t.pk)) for t in columns]} for part in parts
    ]
    return {"targets": columns, "rows": rows}


def plans_below(user, region) -> list[dict]:
    """The plans the regions directly below ``region`` set for themselves (a province's
    cities, a city's counties), each target with its latest snapshot there: what the page
    of a region with no plan of its own lists, so a province sees its cities' plans. Two
    queries."""
    from django.db.models import F

    from portal.scope import scope_queryset

    from .models import Attainment

    latest: dict[int, object] = {}
    for snapshot in (
        scope_queryset(
            user,
            Attainment.objects.filter(region__parent=region, target__region=F("region")),
        )
        .select_related("target", "region")
        .order_by("region__code", "target__plan", "target__name", "target_id", "-as_of")
    ):
        latest.setdefault(snapshot.target_id, snapshot)
    return [{"region": s.region, "target": s.target, "snapshot": s} for s in latest.values()]


def counted_titles(target, region, on: date):
    """The titles a target counts in ``region`` on ``on`` (the teachers behind a figure)."""
    from .models import TargetKind

    titles = Title.objects.counting(on).filter(
        tier__in=target.tiers.all(),
        teacher__school__county__path__startswith=region.subtree_prefix,
    )
    if target.kind == TargetKind.NEW_TITLES:
        titles = titles.filter(
            awarded_on__gte=target.plan_start, awarded_on__lte=min(on, target.deadline)
        )
    else:
        titles = titles.in_force(on).filter(teacher__status="serving")
        if target.kind == TargetKind.SHARE:
            stages = rules.counted_stages(_stored_goal(target))
            titles = titles.filter(teacher__is_full_time=True, teacher__stage__in=stages)
    return titles.select_related("teacher", "teacher__school", "tier").order_by(
        "teacher__school__code", "teacher__name"
    )


@dataclass(frozen=True)
class Counted:
    """What stands behind a target's figure in a region: titles, studios or rotations."""

    what: str  # titles / studios / rotations
    rows: object  # a queryset
    path: str  # the field holding the path of the region each row counts in
    school: str  # the field holding the school each row counts in
    unit: str = "id"  # what the figure counts once (a school covered, not each studio)


def counted(target, region, on: date) -> Counted:
    from .models import Rotation, Studio, TargetKind

    if target.kind == TargetKind.STUDIO_COVERAGE:
        studios = Studio.objects.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on),
            level=target.studio_level,
            founded_on__lte=on,
            region__path__startswith=region.subtree_prefix,
        )
        return Counted(
            "studios",
            studios.select_related("school", "host", "region").order_by("region__code", "name"),
            "region__path",
            "school",
            unit="school" if target.studio_level == "school" else "region",
        )
    if target.kind in (TargetKind.ROTATION, TargetKind.ROTATION_BACKBONE):
        target_goal = _stored_goal(target)
        rotations = Rotation.objects.filter(
            start__gte=rules.rotation_year_start(target_goal, on),
            start__lte=on,
            teacher__status="serving",
            teacher__is_full_time=True,
            teacher__stage__in=rules.counted_stages(target_goal),
            from_school__county__path__startswith=region.subtree_prefix,
        )
        if rotation_rule(target).conditional:
            # Only teachers eligible to rotate are counted (N §2.7): judged for the few
            # who rotated this year here.
            day = rules.rotation_year_start(target_goal, on)
            eligible = rotation_eligibility(
                list(rotations.order_by().values_list("teacher_id", flat=True).distinct()),
                rotation_rule(target),
                day,
            )
            rotations = rotations.filter(teacher_id__in=eligible)
        if target.kind == TargetKind.ROTATION_BACKBONE:
            holders = (
                Title.objects.in_force(on).filter(tier__in=target.tiers.all()).values("teacher")
            )
            rotations = rotations.filter(teacher__in=holders)
        return Counted(
            "rotations",
            rotations.select_related("teacher", "from_school", "to_school").order_by(
                "from_school__code", "teacher__name"
            ),
            "from_school__county__path",
            "from_school",
            unit="teacher",
        )
    return Counted(
        "titles",
        counted_titles(target, region, on),
        "teacher__school__county__path",
        "teacher__school",
        unit="teacher",  # people, not titles: two titles of one teacher count once
    )


def breakdown(target, region, on: date) -> list[dict]:
    """What each part of ``region`` contributes (counties, or schools of a county), with its
    own snapshot's status where the target sets a figure for that level."""
    from django.db.models import Count

    from portal.models import Region, School

    from .models import Attainment, AttainmentStatus

    behind = counted(target, region, on)
    rows = behind.rows.order_by()
    if region.level == "county":
        counts = dict(
            rows.values(behind.school)
            .annotate(n=Count(behind.unit, distinct=True))
            .values_list(behind.school, "n")
        )
        parts = School.objects.filter(county=region).order_by("code").values_list("id", "name")
        return [
            {"id": pk, "name": name, "count": counts.get(pk, 0), "status": "", "school": True}
            for pk, name in parts
        ]
    by_path = list(
        rows.values(behind.path)
        .annotate(n=Count(behind.unit, distinct=True))
        .values_list(behind.path, "n")
    )
    statuses = dict(
        Attainment.objects.filter(target=target, as_of=on, region__parent=region).values_list(
            "region_id", "status"
        )
    )
    parts = list(
        Region.objects.filter(parent=region).order_by("code").values_list("id", "name", "path")
    )
    return [
        {
            "id": pk,
            "name": name,
            "count": sum(n for where, n in by_path if where.startswith(path)),
            "status": statuses.get(pk, ""),
            "status_label": AttainmentStatus(statuses[pk]).label if pk in statuses else "",
            "school": False,
        }
        for pk, name, path in parts
    ]


def _stored_goal(target) -> rules.Goal:
    """The target's goal, its stages read tolerantly (a bad stored shape: every stage)."""
    stages = shapes.stored(
        read_stages, target.stages, default=[], what=f"stages of target {target.pk}"
    )
    return rules.Goal(
        kind=target.kind,
        tiers=frozenset(),
        plan_start=target.plan_start,
        deadline=target.deadline,
        stages=frozenset(stages),
        include_vocational=target.include_vocational,
        studio_level=target.studio_level,
    )
