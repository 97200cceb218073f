"""Shared set-up for the benchmarks: a PostgreSQL database of their own, Django configured
against it, and city-scale regions and schools."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DATABASE", "portal_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def setup_django(*, fresh: bool) -> None:
    """Point Django at the benchmark database (created, and migrated, when ``fresh``)."""
    os.environ["DATABASE_URL"] = f"{PG}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    if fresh:
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"],
            check=True,
        )
    exists = subprocess.run(
        ["psql", f"{PG}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{BENCH_DB}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        # A fresh machine (CI's first run) has none: the callers migrate and build it.
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {BENCH_DB}"], check=True)
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


@contextmanager
def timed(label: str, results: dict):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start
    print(f"  {label}: {results[label]:.2f} s", flush=True)


def city(schools_per_county: int = 125):
    """Wenzhou's 12 counties with ``schools_per_county`` schools each (1,500 by default)."""
    from portal import demo_data, services
    from portal.choices import RegionLevel
    from portal.models import Region, School

    if Region.objects.filter(code=demo_data.CITY[0]).exists():
        return Region.objects.get(code=demo_data.CITY[0]), list(School.objects.order_by("id"))
    province = services.region_create(
        code=demo_data.PROVINCE[0], name=demo_data.PROVINCE[1], level=RegionLevel.PROVINCE
    )
    city_region = services.region_create(
        code=demo_data.CITY[0], name=demo_data.CITY[1], level=RegionLevel.CITY, parent=province
    )
    schools = []
    for code, name, mountain, key in demo_data.COUNTIES:
        county = services.region_create(
            code=code,
            name=name,
            level=RegionLevel.COUNTY,
            parent=city_region,
            is_mountain_island=mountain,
            is_key_support=key,
        )
        schools += [
            School(
                code=f"3{code[2:]}{n:05d}",
                name=f"{name}第{n + 1}学校",
                county=county,
                school_type="nine_year",
                is_rural=n % 3 == 0,
            )
            for n in range(schools_per_county)
        ]
    School.objects.bulk_create(schools)
    return city_region, list(School.objects.order_by("id"))


def peak_rss_mb() -> float:
    """The larger peak of this process and of its children: spreadsheets are parsed in a
    child process (``portal.imports.readers``)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024
