"""Reads of the talent ladder: the facts eligibility needs, for many teachers at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from portal import rules as kernel_rules
from portal.models import EthicsRecord, ServicePeriod, Teacher
from training import shapes

from . import rules
from .models import Programme, Title, read_stages


def titles_in_force(teacher_ids, on: date) -> dict[int, set[int]]:
    rows = Title.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        teacher_id__in=teacher_ids,
        awarded_on__lte=on,
    ).values_list("teacher_id", "tier_id")
    held: dict[int, set[int]] = {}
    for teacher_id, tier_id in rows:
        held.setdefault(teacher_id, set()).add(tier_id)
    return held


def teacher_facts(teachers: list[Teacher], *, on: date) -> dict[int, rules.TeacherFacts]:
    """Eligibility facts for many teachers in four queries (titles, sanctions, periods,
    training summaries), whatever their number."""
    ids = [t.pk for t in teachers]
    held = titles_in_force(ids, on)
    vetoes: dict[int, str] = {}
    for record in EthicsRecord.objects.filter(teacher_id__in=ids, in_force_from__lte=on).filter(
        Q(in_force_to__isnull=True) | Q(in_force_to__gte=on)
    ):
        vetoes.setdefault(record.teacher_id, record.get_sanction_display())
    periods: dict[int, list] = {}
    for period in ServicePeriod.objects.filter(teacher_id__in=ids).select_related("school"):
        if period.school.is_rural or period.school.is_weak:
            periods.setdefault(period.teacher_id, []).append(
                kernel_rules.Interval(period.start, period.end)
            )
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
            rural_or_weak_years=Decimal(
                str(round(kernel_rules.service_years(periods.get(teacher.pk, []), as_of=on), 1))
            ),
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
        requires_rural_years=programme.tier.rural_years_required,
        min_training=programme.min_training,
        tier_name=programme.tier.name,
        prerequisite_names=tuple(t.name for t in draws),
    )


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


def counted_titles(target, region, on: date):
    """The titles a target counts in ``region`` on ``on`` (the teachers behind a figure)."""
    from .models import TargetKind

    titles = Title.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
        tier__in=target.tiers.all(),
        awarded_on__lte=on,
        teacher__school__county__path__startswith=region.subtree_prefix,
    )
    if target.kind == TargetKind.NEW_TITLES:
        titles = titles.filter(awarded_on__gte=target.plan_start, awarded_on__lte=target.deadline)
    else:
        titles = titles.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on), teacher__status="serving"
        )
        if target.kind == TargetKind.SHARE:
            titles = titles.filter(teacher__is_full_time=True)
            stages = _target_stages(target)
            if stages:
                titles = titles.filter(teacher__stage__in=stages)
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
        rotations = Rotation.objects.filter(
            start__gte=max(date(on.year, 1, 1), target.plan_start),
            start__lte=on,
            teacher__status="serving",
            teacher__is_full_time=True,
            from_school__county__path__startswith=region.subtree_prefix,
        )
        stages = _target_stages(target)
        if stages:
            rotations = rotations.filter(teacher__stage__in=stages)
        if target.kind == TargetKind.ROTATION_BACKBONE:
            holders = Title.objects.filter(
                Q(revoked_on__isnull=True) | Q(revoked_on__gt=on),
                Q(valid_until__isnull=True) | Q(valid_until__gte=on),
                tier__in=target.tiers.all(),
                awarded_on__lte=on,
            ).values("teacher")
            rotations = rotations.filter(teacher__in=holders)
        return Counted(
            "rotations",
            rotations.select_related("teacher", "from_school", "to_school").order_by(
                "from_school__code", "teacher__name"
            ),
            "from_school__county__path",
            "from_school",
        )
    return Counted(
        "titles",
        counted_titles(target, region, on),
        "teacher__school__county__path",
        "teacher__school",
    )


def breakdown(target, region, on: date) -> list[dict]:
    """What each part of ``region`` contributes (counties, or schools of a county), with its
    own snapshot's status where the target sets a figure for that level."""
    from django.db.models import Count

    from portal.models import Region, School

    from .models import Attainment

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
            "school": False,
        }
        for pk, name, path in parts
    ]


def _target_stages(target) -> list[str]:
    return shapes.stored(
        read_stages, target.stages, default=[], what=f"stages of target {target.pk}"
    )
