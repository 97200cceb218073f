"""Reads of pay parity: each county's checks for a year, rolled up the tree, and the trend
over the years, in a handful of queries whatever the number of counties."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.models import Region
from portal.scope import scope_queryset

from . import rules, services
from .models import Group, ParityRule, PayAdjustment, PayReport


@dataclass
class CountyResult:
    county: Region
    report: PayReport | None
    parity: rules.Check
    kindergarten: rules.Check
    in_step: rules.Check
    status: str
    adjustments: list = field(default_factory=list)


def county_results(user, region: Region, year: int) -> list[CountyResult]:
    """The checks of every county in ``region`` (or ``region`` itself) that ``user`` sees:
    four queries (counties, reports, adjustments, rules)."""
    counties = list(
        scope_queryset(user, Region.objects.filter(level="county"))
        .filter(path__startswith=region.subtree_prefix)
        .order_by("code")
    )
    ids = [c.pk for c in counties]
    reports = {r.county_id: r for r in PayReport.objects.filter(county_id__in=ids, year=year)}
    # Teachers' adjustments a little before or after the year can answer the year's.
    adjustments: dict[int, list[PayAdjustment]] = {}
    for adjustment in PayAdjustment.objects.filter(
        county_id__in=ids,
        effective_on__gte=date(year, 1, 1) - timedelta(days=366),
        effective_on__lte=date(year, 12, 31) + timedelta(days=366),
    ).order_by("effective_on"):
        adjustments.setdefault(adjustment.county_id, []).append(adjustment)
    rule_rows = list(ParityRule.objects.all())
    results = []
    for county in counties:
        rule = services.thresholds(county.path_ids, year, rule_rows)
        report = reports.get(county.pk)
        mine = adjustments.get(county.pk, [])
        civil = [
            rules.Adjustment(a.effective_on, a.amount)
            for a in mine
            if a.group == Group.CIVIL_SERVANT and a.effective_on.year == year
        ]
        teachers = [
            rules.Adjustment(a.effective_on, a.amount) for a in mine if a.group == Group.TEACHER
        ]
        parity = rules.teacher_parity(
            report.teacher_pay if report else None,
            report.civil_servant_pay if report else None,
            rule,
        )
        kindergarten = rules.kindergarten_parity(
            report.kindergarten_income if report else None,
            report.last_year_wage if report else None,
            rule,
        )
        step = rules.in_step(civil, teachers, rule)
        results.append(
            CountyResult(
                county=county,
                report=report,
                parity=parity,
                kindergarten=kindergarten,
                in_step=step,
                status=rules.overall([parity, kindergarten, step]),
                adjustments=[a for a in mine if a.effective_on.year == year],
            )
        )
    return results


def parts(region: Region, results: list[CountyResult]) -> list[dict]:
    """The rows of a region's table: its counties (a city) or its cities with their
    counties rolled up (a province)."""
    if region.level in ("city", "county"):
        return [{"region": r.county, "result": r, "rollup": None} for r in results]
    children = list(Region.objects.filter(parent=region).order_by("code"))
    rows = []
    for child in children:
        inside = [r for r in results if r.county.path.startswith(child.subtree_prefix)]
        if inside:
            rows.append(
                {
                    "region": child,
                    "result": None,
                    "rollup": rules.rollup([r.status for r in inside]),
                }
            )
    return rows


def trend(counties: list[Region], *, last: int = 6, until: int) -> dict[int, list[PayReport]]:
    """Each county's reports for the last ``last`` years up to ``until``: one query."""
    reports: dict[int, list[PayReport]] = {c.pk: [] for c in counties}
    for report in PayReport.objects.filter(
        county__in=counties, year__gt=until - last, year__lte=until
    ).order_by("year"):
        reports[report.county_id].append(report)
    return reports


def years_reported(user, region: Region) -> list[int]:
    return sorted(
        set(
            scope_queryset(
                user, PayReport.objects.filter(county__path__startswith=region.subtree_prefix)
            )
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )
