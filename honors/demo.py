"""Demo data for ``seed_demo``: the honour types on the city, this year's scan, and the
teaching-30 candidates approved into one batch so certificates can be opened at once.

The scan finds the named edge cases of ``portal.demo_data.edge_cases`` by their service
histories alone: 终身班主任 for the senior-high head teacher of 26 years and the primary one
of 31, 乡村从教 20 / 30 年, 荣誉退休 for this year's retiree, and the ethics veto on the
teacher under a sanction (docs/demo.md). The other candidates stay proposed for review."""

from __future__ import annotations

import random
from datetime import date

from portal.models import Region

from . import presets, services
from .models import Award, AwardBatch, Candidate, HonourType


def seed(*, rng: random.Random, province: Region, as_of: date) -> str:
    city = province.children.order_by("code").first()
    presets.load(region=city)
    services.honours_scan(year=as_of.year, region=city)
    thirty = Candidate.objects.filter(
        honour_type__region=city, honour_type__code="teaching-30", year=as_of.year
    )
    approved, _refused, _batch = services.candidates_review(
        candidates=thirty.filter(status="proposed"),
        actor=None,
        approve=True,
        on=as_of,
        as_system=True,
    )
    return (
        f"{Candidate.objects.filter(honour_type__region=city).count()} candidates, "
        f"{approved} awards"
    )


def reset(*, province: Region) -> None:
    inside = {"honour_type__region__path__startswith": province.path}
    Award.objects.filter(**inside).delete()
    AwardBatch.objects.filter(**inside).delete()
    Candidate.objects.filter(**inside).delete()
    HonourType.objects.filter(region__path__startswith=province.subtree_prefix).delete()
