"""Ladder and target presets shipped with the product (``fixtures/ladders.json``): the
Wenzhou and Ningxia ladders with their plans' targets. Loading copies them into rows a bureau
then edits; nothing here is read at run time."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from portal.models import Region

from .models import TalentRule, Target, Tier

PRESETS_FILE = Path(__file__).parent / "fixtures" / "ladders.json"


def presets() -> dict:
    return json.loads(PRESETS_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def load(name: str, *, region: Region) -> tuple[int, int]:
    """Create the preset's tiers, targets and title conditions for ``region``; returns how
    many tiers and new targets. Loading twice changes nothing: a bureau's edits stay, and a
    tier or target added to the preset since is created."""
    preset = presets()[name]
    tiers: dict[str, Tier] = {}
    division = preset.get("division_by_stage", {})
    for spec in preset["tiers"]:
        spec = dict(spec, run_by_stage=division)
        prerequisite = spec.pop("prerequisite", None)
        spec["rural_years_required"] = Decimal(spec.get("rural_years_required", "0"))
        spec.setdefault("rural_stages", [])
        tier, created = Tier.objects.get_or_create(
            region=region, ladder=name, code=spec.pop("code"), defaults=spec
        )
        if not created and not tier.run_by and spec.get("run_by"):
            # A ladder loaded before the division of labour was data: add it, nothing else.
            tier.run_by, tier.run_by_stage = spec["run_by"], spec["run_by_stage"]
            tier.save(update_fields=["run_by", "run_by_stage"])
        if prerequisite:
            tier.prerequisite = tiers[prerequisite]
            tier.save(update_fields=["prerequisite"])
        tiers[tier.code] = tier
    targets = 0
    for spec in preset["targets"]:
        target, created = Target.objects.get_or_create(
            region=region,
            plan=spec["plan"],
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "applies_to": spec.get("applies_to", ""),
                "stages": spec.get("stages", []),
                "studio_level": spec.get("studio_level", ""),
                "figure": Decimal(spec["figure"]),
                "figure_max": Decimal(spec["figure_max"]) if spec.get("figure_max") else None,
                "include_vocational": spec.get("include_vocational", False),
                "rotation_years_at_school": spec.get("rotation_years_at_school"),
                "rotation_years_to_retirement": spec.get("rotation_years_to_retirement"),
                "retirement_age_men": spec.get("retirement_age_men", 60),
                "retirement_age_women": spec.get("retirement_age_women", 55),
                "plan_start": date.fromisoformat(spec["plan_start"]),
                "deadline": date.fromisoformat(spec["deadline"]),
            },
        )
        if created:
            target.tiers.set([tiers[code] for code in spec["tiers"]])
            targets += 1
    if "talent_rule" in preset:
        talent_rule(preset["talent_rule"], region=region)
    return len(tiers), targets


def talent_rule(spec: dict, *, region: Region) -> TalentRule:
    """The region's title and principal conditions from a preset, unless it has its own."""
    spec = dict(spec)
    for key in ("rural_years_required", "principal_rural_years_preferred"):
        spec[key] = Decimal(spec.get(key, "0"))
    rule, _created = TalentRule.objects.get_or_create(region=region, defaults=spec)
    return rule
