"""Writes of pay parity: reports upserted per county and year, adjustments added and
removed, each change audited with what it was before."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Region
from portal.services import audit_record

from . import rules
from .models import ParityRule, PayAdjustment, PayReport

FIGURES = ["teacher_pay", "civil_servant_pay", "kindergarten_income", "last_year_wage"]


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


@transaction.atomic
def pay_report_save(
    *, county: Region, year: int, values: dict, actor, ip_address: str | None = None
) -> tuple[PayReport, bool]:
    """Create or change a county's report for a year. Returns (report, changed)."""
    if county.level != "county":
        raise ValidationError({"county": _("Pay is reported by counties.")})
    report = PayReport.objects.select_for_update().filter(county=county, year=year).first()
    created = report is None
    if created:
        report = PayReport(county=county, year=year)
    before = {f: _plain(getattr(report, f)) for f in [*FIGURES, "note"]}
    for name in [*FIGURES, "note"]:
        if name in values:
            setattr(report, name, values[name] if values[name] != "" else None)
    if report.note is None:
        report.note = ""
    after = {f: _plain(getattr(report, f)) for f in [*FIGURES, "note"]}
    if not created and before == after:
        return report, False
    report.entered_by = actor
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        action="pay.report_create" if created else "pay.report_change",
        obj=report,
        region=county,
        ip_address=ip_address,
        detail={"year": year, "before": None if created else before, "after": after},
    )
    return report, True


@transaction.atomic
def adjustment_create(*, county: Region, actor, ip_address=None, **fields) -> PayAdjustment:
    if county.level != "county":
        raise ValidationError({"county": _("Pay is reported by counties.")})
    adjustment = PayAdjustment(county=county, entered_by=actor, **fields)
    adjustment.full_clean()
    adjustment.save()
    audit_record(
        actor=actor,
        action="pay.adjustment_create",
        obj=adjustment,
        region=county,
        ip_address=ip_address,
        detail={
            "group": adjustment.group,
            "effective_on": adjustment.effective_on.isoformat(),
            "amount": str(adjustment.amount),
        },
    )
    return adjustment


@transaction.atomic
def adjustment_delete(*, adjustment: PayAdjustment, actor, ip_address=None) -> None:
    audit_record(
        actor=actor,
        action="pay.adjustment_delete",
        obj=adjustment,
        region=adjustment.county,
        ip_address=ip_address,
        detail={
            "group": adjustment.group,
            "effective_on": adjustment.effective_on.isoformat(),
            "amount": str(adjustment.amount),
        },
    )
    adjustment.delete()


def thresholds(region_path_ids: list[int], year: int, rule_rows=None) -> rules.Thresholds:
    """The rule in force for a region in a year: the deepest region's, the latest that
    started by the year's end; the policy's own when none."""
    from datetime import date

    rows = rule_rows if rule_rows is not None else list(ParityRule.objects.all())
    depth = {pk: i for i, pk in enumerate(region_path_ids)}
    usable = [r for r in rows if r.region_id in depth and r.effective_from <= date(year, 12, 31)]
    if not usable:
        return rules.Thresholds()
    best = max(usable, key=lambda r: (depth[r.region_id], r.effective_from))
    return rules.Thresholds(
        teacher_ratio=best.teacher_ratio,
        kindergarten_ratio=best.kindergarten_ratio,
        step_window_days=best.step_window_days,
    )
