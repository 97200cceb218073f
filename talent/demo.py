"""Demo data for ``seed_demo``: the Wenzhou ladder and its 2025 targets on the city, titles
awarded since 2022, two programmes with nominations, and a year of monthly snapshots so the
charts have a path."""

from __future__ import annotations

import random
from datetime import date

from portal.models import Region, Teacher

from . import presets, services
from .models import Attainment, Enrolment, Programme, Target, Tier, Title


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    city = province.children.order_by("code").first()
    presets.load("wenzhou", region=city)
    tiers = {t.code: t for t in Tier.objects.filter(region=city)}
    teachers = list(Teacher.objects.filter(school__county__parent=city).order_by("id"))
    titles = []
    ladder = ["xinrui", "jiaotan-xinxiu", "city-famous-teacher", "province-special"]
    for index, teacher in enumerate(teachers):
        climbed = rng.choices([0, 1, 2, 3, 4], weights=[50, 25, 15, 7, 3])[0]
        for step in range(climbed):
            year = rng.randint(2018, 2026) if step == 0 else min(2026, 2019 + step * 2)
            awarded = date(year, rng.randint(1, 12), rng.randint(1, 28))
            if awarded > as_of:
                continue
            tier = tiers[ladder[step]]
            titles.append(
                Title(
                    teacher=teacher,
                    tier=tier,
                    awarding_region=city,
                    awarded_on=awarded,
                    certificate_number=f"{city.code}-{tier.code}-{awarded.year}-{index:05d}{step}",
                )
            )
    Title.objects.bulk_create(titles)
    famous = Programme.objects.create(
        name="市级名师培养计划（2022–2025）",
        region=city,
        tier=tiers["city-famous-teacher"],
        window_start=date(2022, 1, 1),
        window_end=date(2025, 12, 31),
        selection_quota=1000,
        target_titles=500,
        reserved_shares={"mountain_island": 0.233, "weak_rural": 0.382},
    )
    famous.draws_from.set([tiers["jiaotan-xinxiu"]])
    holders = (
        Teacher.objects.filter(titles__tier=tiers["jiaotan-xinxiu"])
        .exclude(titles__tier=tiers["city-famous-teacher"])
        .distinct()[:12]
    )
    for teacher in holders:
        Enrolment.objects.create(programme=famous, teacher=teacher)
    # Quarterly snapshots since the plan began, so the charts show the path.
    day = date(2022, 3, 1)
    while day < as_of:
        services.attainment_recompute(on=day)
        day = date(day.year + (day.month + 3 > 12), (day.month + 2) % 12 + 1, 1)
    services.attainment_recompute(on=as_of)
    return (
        f"{len(titles)} titles, {Target.objects.count()} targets, "
        f"{Attainment.objects.count()} snapshots"
    )


def reset(*, province: Region) -> None:
    from .models import EnrolmentStep

    inside = {"region__path__startswith": province.path}
    EnrolmentStep.objects.filter(
        enrolment__programme__region__path__startswith=province.path
    ).delete()
    Title.objects.filter(awarding_region__path__startswith=province.path).delete()
    Enrolment.objects.filter(programme__region__path__startswith=province.path).delete()
    Attainment.objects.filter(target__region__path__startswith=province.path).delete()
    Target.objects.filter(**inside).delete()
    Programme.objects.filter(**inside).delete()
    Tier.objects.filter(**inside).update(prerequisite=None)
    Tier.objects.filter(**inside).delete()
