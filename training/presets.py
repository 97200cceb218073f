"""Rule-set presets shipped with the product (``fixtures/presets.json``): starting data a
bureau copies into its own rule set and then edits in the portal."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

PRESETS_FILE = Path(__file__).parent / "fixtures" / "presets.json"


def presets() -> dict[str, dict]:
    return json.loads(PRESETS_FILE.read_text(encoding="utf-8"))


def preset_fields(name: str) -> dict:
    """The RuleSet fields of a preset (decimals parsed, the source note left out)."""
    data = dict(presets()[name])
    data.pop("source", None)
    for key in (
        "required_per_cycle",
        "ethics_per_year",
        "min_county_or_above",
        "item_cap",
        "usual_per_year",
        "principal_first_year",
        "principal_per_cycle",
        "min_per_year",
        "missed_share_voids",
    ):
        if data.get(key) is not None:
            data[key] = Decimal(data[key])
    return data


def default_effective_from() -> date:
    return date(2021, 1, 1)
