"""Demo data for ``seed_demo``: five years of pay reports for each county of the city and
the civil-servant and teacher adjustments of those years, entered through the services as a
bureau would. Most counties are at parity and in step; four are not, each for one reason, so
every check and colour of the dashboard shows (docs/demo.md):

- 洞头区: teachers' average pay below civil servants' in the last two years, and last year's
  teacher raise four months after the civil servants' (not "三同步");
- 永嘉县: last year's teacher raise smaller than the civil servants';
- 平阳县: last year, non-staff kindergarten teachers' income below the local average wage;
- 龙湾区: last year's kindergarten income not reported (incomplete).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from portal.models import Region

from . import services
from .models import Group, PayAdjustment, PayReport

TEACHERS_TRAIL = "330305"  # 洞头区
RAISE_TOO_SMALL = "330324"  # 永嘉县
KINDERGARTEN_SHORT = "330326"  # 平阳县
KINDERGARTEN_MISSING = "330303"  # 龙湾区


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    counties = sorted(
        Region.objects.filter(level="county", path__startswith=province.subtree_prefix),
        key=lambda c: c.code,
    )
    last = as_of.year - 1  # figures of a year are reported early the next year
    reports = adjustments = 0
    for county in counties:
        civil = Decimal(rng.randint(128, 150) * 1000)
        for year in range(last - 4, last + 1):
            civil = (civil * Decimal("1.04")).quantize(Decimal("1"))
            teachers = civil + Decimal(rng.randint(0, 9) * 1000)
            if county.code == TEACHERS_TRAIL and year >= last - 1:
                teachers = civil - Decimal(rng.randint(4, 9) * 1000)
            wage = Decimal(rng.randint(72, 82) * 1000)
            income = wage + Decimal(rng.randint(1, 6) * 1000)
            if county.code == KINDERGARTEN_SHORT and year == last:
                income = wage - Decimal(rng.randint(2, 5) * 1000)
            if county.code == KINDERGARTEN_MISSING and year == last:
                income = None
            services.pay_report_save(
                county=county,
                year=year,
                values={
                    "teacher_pay": teachers,
                    "civil_servant_pay": civil,
                    "kindergarten_income": income,
                    "last_year_wage": wage,
                },
                actor=None,
            )
            reports += 1
            raise_on = date(year, 7, 1)
            amount = Decimal(rng.choice([300, 400, 500]))
            services.adjustment_create(
                county=county,
                actor=None,
                group=Group.CIVIL_SERVANT,
                effective_on=raise_on,
                amount=amount,
            )
            late = county.code == TEACHERS_TRAIL and year == last
            small = county.code == RAISE_TOO_SMALL and year == last
            services.adjustment_create(
                county=county,
                actor=None,
                group=Group.TEACHER,
                effective_on=date(year, 11, 1) if late else raise_on,
                amount=amount - 100 if small else amount,
            )
            adjustments += 2
    return f"{reports} pay reports, {adjustments} adjustments ({last - 4}–{last})"


def reset(*, province: Region) -> None:
    PayAdjustment.objects.filter(county__path__startswith=province.subtree_prefix).delete()
    PayReport.objects.filter(county__path__startswith=province.subtree_prefix).delete()
