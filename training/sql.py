"""The recompute on PostgreSQL as one statement per rule set: the ledger aggregated per
teacher, the rule set's caps and minimums applied, and the summaries upserted, with no
teacher's figures passing through Python.

``rules.totals_from_items`` and ``rules.assess`` are the definition; this is a fast path
for the same policy, and ``tests/training/test_sql_equals_rules.py`` runs both on PostgreSQL
over a population holding every edge class (cycle boundaries, leap days, entrants in
mid-cycle and on 1 January, principals, credits with caps per item, per year and per cycle,
missed courses, reversals) and requires 0 differences. Principals appointed within the cycle
(their first-year rule needs a window per teacher) go through the Python path.

Every amount is ``numeric``: a credit is rounded to six places per record exactly as
``rules.record_value`` rounds it, so sums and comparisons are exact in both.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from portal.rules import add_years

from . import rules
from .choices import COUNTY_OR_ABOVE, Category


def _value(rule: rules.Rule) -> str:
    """SQL for what one record counts (``rules.record_value``), in the rule's unit."""
    if rule.unit == "hours":
        amount = "(ABS(r.hours_tenths)::numeric / 10)"
    else:
        whens = " ".join(
            f"WHEN '{mode}' THEN ROUND(ABS(r.hours_tenths)::numeric / {Decimal(per) * 10}, 6)"
            for mode, per in rule.hours_per_credit.items()
            if mode != "default" and mode.replace("_", "").isalpha()
        )
        default = rule.hours_per_credit.get("default")
        fallback = (
            f"ROUND(ABS(r.hours_tenths)::numeric / {Decimal(default) * 10}, 6)"
            if default
            else "0::numeric"
        )
        amount = f"(CASE r.mode {whens} ELSE {fallback} END)"
    if rule.item_cap is not None:
        amount = f"LEAST({amount}, {Decimal(rule.item_cap)})"
    amount = f"(SIGN(r.hours_tenths) * {amount})"
    if rule.missed_share_voids is not None:
        share = Decimal(rule.missed_share_voids)
        amount = (
            f"(CASE WHEN r.missed_tenths > 0 AND r.missed_tenths::numeric >= "
            f"{share} * (ABS(r.hours_tenths) + r.missed_tenths) THEN 0 ELSE {amount} END)"
        )
    return amount


def recompute(
    *,
    rule_set_id: int,
    rule: rules.Rule,
    counties: list[int],
    as_of: date,
    teacher_ids: list[int] | None = None,
) -> int:
    """Upsert the summary of every serving teacher of ``counties`` (or only of
    ``teacher_ids``) except principals appointed within the cycle; returns how many summaries
    changed."""
    cycle = rules.cycle_of(rule, as_of)
    value = _value(rule)
    span = (cycle.end - cycle.start).days + 1
    elapsed = min(max((as_of - cycle.start).days + 1, 0), span)
    due = [y for y in cycle.years if y <= as_of.year]
    params: dict = {
        "counties": counties,
        "teacher_ids": teacher_ids or [],
        "start": cycle.start,
        "end": cycle.end,
        "levels": list(COUNTY_OR_ABOVE),
        "ethics": Category.ETHICS,
        "required": rule.required_per_cycle,
        "principal_required": rule.principal_per_cycle,
        "min_county": rule.min_county_or_above,
        "ethics_required": rule.ethics_per_year,
        "min_per_year": rule.min_per_year,
        "fraction": Decimal(elapsed) / Decimal(span),
        "years_left": Decimal((cycle.end - as_of).days) / Decimal("365.25"),
        "pace": rule.usual_pace(),
        "rule_set": rule_set_id,
        "cycle_start": cycle.start.year,
        "as_of": as_of,
        "entry_counts": rule.entry_year_counts,
        # Principals appointed on or after this day have a first year reaching into the cycle:
        # they go through the rules (``selectors.Principal.first_year_from``).
        "first_year_reaches": add_years(cycle.start, -1),
    }
    sums = [
        f"SUM({value}) AS total",
        f"SUM({value}) FILTER (WHERE r.level = ANY(%(levels)s)) AS county",
    ]
    for year in cycle.years:
        params[f"y{year}_start"], params[f"y{year}_end"] = date(year, 1, 1), date(year, 12, 31)
    in_year = "r.completed_on BETWEEN %(y{y}_start)s AND %(y{y}_end)s"
    capped = sorted(set(rule.category_caps) | set(rule.year_category_caps))
    credited_terms = []
    for index, category in enumerate(capped):
        params[f"cat_{index}"] = category
        sums.append(f"SUM({value}) FILTER (WHERE r.category = %(cat_{index})s) AS c{index}")
        amount = f"COALESCE(c{index}, 0)"
        if category in rule.year_category_caps:
            params[f"ycap_{index}"] = rule.year_category_caps[category]
            per_year = []
            for year in cycle.years:
                sums.append(
                    f"SUM({value}) FILTER (WHERE r.category = %(cat_{index})s AND "
                    f"{in_year.format(y=year)}) AS c{index}_{year}"
                )
                per_year.append(f"LEAST(COALESCE(c{index}_{year}, 0), %(ycap_{index})s)")
            amount = "(" + " + ".join(per_year) + ")"
        if category in rule.category_caps:
            params[f"cap_{index}"] = rule.category_caps[category]
            amount = f"LEAST({amount}, %(cap_{index})s)"
        credited_terms.append(f"- COALESCE(c{index}, 0) + {amount}")
    short_any, short_past = [], []
    for year in due:
        sums.append(
            f"SUM({value}) FILTER (WHERE r.category = %(ethics)s AND "
            f"{in_year.format(y=year)}) AS e{year}"
        )
        conditions = [f"COALESCE(e{year}, 0) < %(ethics_required)s"]
        if rule.min_per_year:
            sums.append(f"SUM({value}) FILTER (WHERE {in_year.format(y=year)}) AS t{year}")
            year_figure = f"COALESCE(t{year}, 0)"
            for index, category in enumerate(capped):
                if category in rule.year_category_caps:
                    year_figure += (
                        f" - COALESCE(c{index}_{year}, 0)"
                        f" + LEAST(COALESCE(c{index}_{year}, 0), %(ycap_{index})s)"
                    )
            conditions.append(f"({year_figure}) < %(min_per_year)s")
        short = f"({year} >= first_due AND ({' OR '.join(conditions)}))"
        short_any.append(short)
        if year < as_of.year:
            short_past.append(short)
    this_year = f"COALESCE(e{as_of.year}, 0)" if as_of.year in due else "0"
    restrict = "AND t.id = ANY(%(teacher_ids)s)" if teacher_ids is not None else ""
    # Only numbers from the rule set and fixed names are formatted in; values are parameters.
    # 1. The ledger's sums into a temporary table: a plain SELECT, so PostgreSQL may use
    #    parallel workers (it never does for the SELECT inside an INSERT).
    aggregate = f"""
    CREATE TEMPORARY TABLE training_sums ON COMMIT DROP AS
    SELECT r.teacher_id, {", ".join(sums)}
    FROM training_trainingrecord r
    JOIN portal_teacher t ON t.id = r.teacher_id
    JOIN portal_school rs ON rs.id = t.school_id
    WHERE r.status = 'approved' AND r.completed_on BETWEEN %(start)s AND %(end)s
      AND rs.county_id = ANY(%(counties)s) {restrict}
    GROUP BY r.teacher_id
    """
    # 2. The rules applied, and only summaries whose figures changed rewritten.
    sql = f"""
    WITH periods AS (
        SELECT teacher_id, MIN(start) AS first_start,
               MIN(start) FILTER (WHERE role = 'principal') AS principal_since
        FROM portal_serviceperiod GROUP BY teacher_id
    ),
    teachers AS (
        SELECT t.id AS teacher_id, pr.principal_since,
               LEAST(t.started_teaching, pr.first_start) AS began
        FROM portal_teacher t
        JOIN portal_school s ON s.id = t.school_id
        LEFT JOIN periods pr ON pr.teacher_id = t.id
        WHERE t.status = 'serving' AND s.county_id = ANY(%(counties)s) {restrict}
          AND (pr.principal_since IS NULL OR pr.principal_since < %(first_year_reaches)s)
    ),
    due AS (
        SELECT teachers.*,
               CASE WHEN began IS NULL THEN 0
                    WHEN %(entry_counts)s OR (EXTRACT(MONTH FROM began) = 1
                                              AND EXTRACT(DAY FROM began) = 1)
                    THEN EXTRACT(YEAR FROM began)::int
                    ELSE EXTRACT(YEAR FROM began)::int + 1 END AS first_due
        FROM teachers
    ),
    figures AS (
        SELECT d.teacher_id,
               CASE WHEN d.principal_since IS NOT NULL
                         AND %(principal_required)s::numeric IS NOT NULL
                    THEN %(principal_required)s::numeric ELSE %(required)s::numeric END
                   AS required,
               (COALESCE(total, 0) {" ".join(credited_terms)})::numeric AS credited,
               COALESCE(county, 0)::numeric AS county,
               ({this_year})::numeric AS ethics_now,
               ({" OR ".join(short_any) or "FALSE"}) AS year_short,
               ({" OR ".join(short_past) or "FALSE"}) AS past_short
        FROM due d LEFT JOIN training_sums USING (teacher_id)
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
               WHEN to_do = 0 AND NOT year_short THEN 'complete'
               WHEN to_do > %(pace)s * %(years_left)s OR past_short THEN 'at_risk'
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
