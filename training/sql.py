"""The nightly recompute on PostgreSQL as one statement per rule set: the ledger aggregated
per teacher, the rule set's caps and thresholds applied, and the summaries upserted, with no
teacher's figures passing through Python.

This is the same policy as ``rules.assess`` written in SQL for speed; a test runs both on the
same ledger and requires the same status and figures for every teacher. Principals appointed
within the cycle (their first-year rule needs a window per teacher) go through Python.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from . import rules
from .choices import COUNTY_OR_ABOVE, Category


def _value(rule: rules.Rule) -> tuple[str, Decimal]:
    """SQL for what one record counts (``rules.record_value``) and the divisor that turns its
    sum into the rule's unit."""
    if rule.unit == "hours" and rule.item_cap is None:
        return "r.hours_tenths", Decimal(10)
    if rule.unit == "hours":
        amount = "(r.hours_tenths / 10.0)"
    else:
        whens = " ".join(
            f"WHEN '{mode}' THEN r.hours_tenths / {float(per) * 10!r}"
            for mode, per in rule.hours_per_credit.items()
            if mode != "default" and mode.replace("_", "").isalpha()
        )
        default = rule.hours_per_credit.get("default")
        fallback = f"r.hours_tenths / {float(default) * 10!r}" if default else "0.0"
        amount = f"(CASE r.mode {whens} ELSE {fallback} END)"
    if rule.item_cap is not None:
        cap = float(rule.item_cap)
        amount = (
            f"(CASE WHEN r.hours_tenths < 0 THEN -LEAST(-{amount}, {cap!r}) "
            f"ELSE LEAST({amount}, {cap!r}) END)"
        )
    return amount, Decimal(1)


def recompute(
    *,
    rule_set_id: int,
    rule: rules.Rule,
    counties: list[int],
    as_of: date,
    every_county: bool = False,
) -> int:
    """Upsert the summary of every serving teacher of ``counties`` except principals appointed
    within the cycle; returns how many were written. ``every_county``: the rule set covers the
    whole database, so the ledger is aggregated without joining it to schools."""
    cycle = rules.cycle_of(rule, as_of)
    value, scale = _value(rule)
    span = (cycle.end - cycle.start).days + 1
    elapsed = min(max((as_of - cycle.start).days + 1, 0), span)
    years = [y for y in cycle.years if y <= as_of.year]
    caps = list(rule.category_caps.items())
    params: dict = {
        "counties": counties,
        "start": cycle.start,
        "end": cycle.end,
        "levels": list(COUNTY_OR_ABOVE),
        "ethics": Category.ETHICS,
        "required": rule.required_per_cycle,
        "principal_required": rule.principal_per_cycle,
        "min_county": rule.min_county_or_above,
        "ethics_required": rule.ethics_per_year,
        "fraction": Decimal(elapsed) / Decimal(span),
        "years_left": Decimal((cycle.end - as_of).days) / Decimal("365.25"),
        "pace": rule.usual_pace(),
        "scale": scale,
        "rule_set": rule_set_id,
        "cycle_start": cycle.start.year,
        "as_of": as_of,
    }
    cap_sums, cap_terms = [], []
    for index, (category, cap) in enumerate(caps):
        params[f"cap_cat_{index}"], params[f"cap_{index}"] = category, cap
        cap_sums.append(f"SUM({value}) FILTER (WHERE r.category = %(cap_cat_{index})s) AS c{index}")
        cap_terms.append(
            f"- COALESCE(c{index}, 0) / %(scale)s "
            f"+ LEAST(COALESCE(c{index}, 0) / %(scale)s, %(cap_{index})s)"
        )
    ethics_sums = []
    for year in years:
        params[f"y{year}_start"], params[f"y{year}_end"] = date(year, 1, 1), date(year, 12, 31)
        ethics_sums.append(
            f"SUM({value}) FILTER (WHERE r.category = %(ethics)s AND r.completed_on "
            f"BETWEEN %(y{year}_start)s AND %(y{year}_end)s) AS e{year}"
        )
    this_year = f"COALESCE(e{as_of.year}, 0) / %(scale)s" if as_of.year in years else "0"
    short_any = (
        " OR ".join(f"COALESCE(e{y}, 0) / %(scale)s < %(ethics_required)s" for y in years)
        or "FALSE"
    )
    short_past = (
        " OR ".join(
            f"COALESCE(e{y}, 0) / %(scale)s < %(ethics_required)s" for y in years if y < as_of.year
        )
        or "FALSE"
    )
    sums = ",\n".join(
        [
            f"SUM({value}) AS total",
            f"SUM({value}) FILTER (WHERE r.level = ANY(%(levels)s)) AS county",
            *cap_sums,
            *ethics_sums,
        ]
    )
    # Only numbers from the rule set and fixed names are formatted in; values are parameters.
    # 1. The ledger's sums into a temporary table: a plain SELECT, so PostgreSQL may use
    #    parallel workers (it never does for the SELECT inside an INSERT).
    aggregate = f"""
    CREATE TEMPORARY TABLE training_sums ON COMMIT DROP AS
    SELECT r.teacher_id, {sums}
    FROM training_trainingrecord r
    {
        ""
        if every_county
        else (
            "JOIN portal_teacher rt ON rt.id = r.teacher_id "
            "JOIN portal_school rs ON rs.id = rt.school_id"
        )
    }
    WHERE r.status = 'approved' AND r.completed_on BETWEEN %(start)s AND %(end)s
      {"" if every_county else "AND rs.county_id = ANY(%(counties)s)"}
    GROUP BY r.teacher_id
    """
    # 2. The rules applied, and only summaries whose figures changed rewritten.
    sql = f"""
    WITH principals AS (
        SELECT teacher_id, MIN(start) AS since
        FROM portal_serviceperiod WHERE role = 'principal' GROUP BY teacher_id
    ),
    teachers AS (
        SELECT t.id AS teacher_id, pr.since AS principal_since
        FROM portal_teacher t
        JOIN portal_school s ON s.id = t.school_id
        LEFT JOIN principals pr ON pr.teacher_id = t.id
        WHERE t.status = 'serving' AND s.county_id = ANY(%(counties)s)
          AND (pr.since IS NULL OR pr.since < %(start)s)
    ),
    figures AS (
        SELECT t.teacher_id,
               CASE WHEN t.principal_since IS NOT NULL
                         AND %(principal_required)s::numeric IS NOT NULL
                    THEN %(principal_required)s::numeric ELSE %(required)s::numeric END
                   AS required,
               (COALESCE(total, 0) / %(scale)s {" ".join(cap_terms)})::numeric AS credited,
               (COALESCE(county, 0) / %(scale)s)::numeric AS county,
               ({this_year})::numeric AS ethics_now,
               ({short_any}) AS ethics_short,
               ({short_past}) AS ethics_past_short
        FROM teachers t LEFT JOIN training_sums USING (teacher_id)
    ),
    judged AS (
        SELECT *, GREATEST(required - credited, %(min_county)s - county, 0) AS to_do
        FROM figures
    )
    INSERT INTO training_trainingsummary AS old
        (teacher_id, rule_set_id, cycle_start, credited, required, county_or_above,
         ethics_this_year, status, as_of, computed_at)
    SELECT teacher_id, %(rule_set)s, %(cycle_start)s, credited, required, county, ethics_now,
           CASE
               WHEN to_do = 0 AND NOT ethics_short THEN 'complete'
               WHEN to_do > %(pace)s * %(years_left)s OR ethics_past_short THEN 'at_risk'
               WHEN credited + 0.05 >= required * %(fraction)s
                    AND county + 0.05 >= %(min_county)s * %(fraction)s THEN 'on_track'
               ELSE 'behind'
           END,
           %(as_of)s, now()
    FROM judged
    ON CONFLICT (teacher_id) DO UPDATE SET
        rule_set_id = EXCLUDED.rule_set_id, cycle_start = EXCLUDED.cycle_start,
        credited = EXCLUDED.credited, required = EXCLUDED.required,
        county_or_above = EXCLUDED.county_or_above,
        ethics_this_year = EXCLUDED.ethics_this_year, status = EXCLUDED.status,
        as_of = EXCLUDED.as_of, computed_at = EXCLUDED.computed_at
    WHERE (old.rule_set_id, old.cycle_start, old.credited, old.required, old.county_or_above,
           old.ethics_this_year, old.status, old.as_of)
          IS DISTINCT FROM
          (EXCLUDED.rule_set_id, EXCLUDED.cycle_start, EXCLUDED.credited, EXCLUDED.required,
           EXCLUDED.county_or_above, EXCLUDED.ethics_this_year, EXCLUDED.status,
           EXCLUDED.as_of)
    """
    with connection.cursor() as cursor:
        cursor.execute(aggregate, params)
        cursor.execute(sql, params)
        written = cursor.rowcount
        cursor.execute("DROP TABLE training_sums")
        return written
