"""Demo data for ``seed_demo``: five years of pay reports for each county of the city and
the civil-servant and teacher adjustments of those years — most counties at parity and in
step, a few not, so every colour of the dashboard shows."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from portal.models import Region

from .models import Group, PayAdjustment, PayReport


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    counties = list(Region.objects.filter(level="county", path__startswith=province.subtree_prefix))
    reports, adjustments = [], []
    last = as_of.year - 1  # figures of a year are reported early the next year
    for index, county in enumerate(sorted(counties, key=lambda c: c.code)):
        civil = Decimal(rng.randint(128, 150) * 1000)
        lagging = index % 5 == 3  # a county whose teachers trail
        kindergarten_short = index % 6 == 5
        for year in range(last - 4, last + 1):
            civil = (civil * Decimal("1.04")).quantize(Decimal("1"))
            teachers = civil + Decimal(rng.randint(-2, 9) * 1000)
            if lagging and year >= last - 1:
                teachers = civil - Decimal(rng.randint(4, 9) * 1000)
            elif teachers < civil:
                teachers = civil + Decimal(rng.randint(0, 3) * 1000)
            wage = Decimal(rng.randint(72, 82) * 1000)
            income = wage + Decimal(rng.randint(1, 6) * 1000)
            if kindergarten_short and year == last:
                income = wage - Decimal(rng.randint(2, 5) * 1000)
            reports.append(
                PayReport(
                    county=county,
                    year=year,
                    teacher_pay=teachers,
                    civil_servant_pay=civil,
                    kindergarten_income=income if year > last - 4 or index % 2 else None,
                    last_year_wage=wage,
                )
            )
            raise_on = date(year, 7, 1)
            amount = Decimal(rng.choice([300, 400, 500]))
            adjustments.append(
                PayAdjustment(
                    county=county, group=Group.CIVIL_SERVANT, effective_on=raise_on, amount=amount
                )
            )
            late = lagging and year == last
            adjustments.append(
                PayAdjustment(
                    county=county,
                    group=Group.TEACHER,
                    effective_on=date(year, 11, 1) if late else raise_on,
                    amount=amount if not (index % 7 == 4 and year == last) else amount - 100,
                )
            )
    PayReport.objects.bulk_create(reports)
    PayAdjustment.objects.bulk_create(adjustments)
    return f"{len(reports)} pay reports, {len(adjustments)} adjustments ({last - 4}–{last})"


def reset(*, province: Region) -> None:
    PayAdjustment.objects.filter(county__path__startswith=province.subtree_prefix).delete()
    PayReport.objects.filter(county__path__startswith=province.subtree_prefix).delete()
