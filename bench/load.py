"""Load test on the city-scale database (100,000 teachers, 5,000,000 training records, the
targets and pay reports): gunicorn and a real Celery worker on PostgreSQL and Redis, and
Locust on loopback with 50 concurrent users — teachers on their pages, bureau staff on
dashboards, API clients — while two schools import rosters over and over.

    .venv/bin/python bench/training_compliance.py   # once, to build the database
    .venv/bin/python bench/load.py                  # 50 users for 60 s; figures for docs
    .venv/bin/python bench/load.py --quick          # 20 s, for make soak / CI

Exit status 1 on any failed request or import. Prints throughput and p50/p95/p99.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import PG, ROOT, setup_django

PASSWORD = "Load@test-2026"  # noqa: S105 - accounts of the benchmark database only
PORT = 8001


def accounts() -> dict:
    """Accounts for every simulated user (created once, reused), and the import rows."""
    from datetime import date, timedelta

    from portal import rules, services
    from portal.choices import Role
    from portal.models import Region, School, Teacher, User

    city = Region.objects.get(level="city")
    counties = list(Region.objects.filter(level="county").order_by("code"))

    def account(username, **attachment):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(username=username, password=PASSWORD, **attachment)
        return user

    teachers = list(Teacher.objects.order_by("id").values_list("id", flat=True)[:40])
    result = {"password": PASSWORD, "teachers": [], "staff": [], "api": [], "importers": []}
    for n, teacher_id in enumerate(teachers):
        user = account(f"load-teacher-{n}", role=Role.TEACHER, teacher_id=teacher_id)
        result["teachers"].append(session(user))
    for n in range(30):
        county = counties[n % len(counties)]
        region = city if n % 6 == 0 else county
        role = Role.CITY_STAFF if region is city else Role.COUNTY_STAFF
        user = account(f"load-staff-{n}", role=role, region=region)
        result["staff"].append({"session": session(user), "region": region.pk})
        user = account(f"load-api-{n}", role=Role.COUNTY_STAFF, region=county)
        schools = list(School.objects.filter(county=county).values_list("pk", flat=True)[:20])
        result["api"].append({"token": token(user), "region": county.pk, "schools": schools})
    for n, school in enumerate(School.objects.order_by("id")[:2]):
        user = account(f"load-school-{n}", role=Role.SCHOOL_ADMIN, school=school)
        rows = []
        for i in range(2_000):
            birth = date(1960, 1, 1) + timedelta(days=(n * 2_000 + i) // 20)
            first17 = f"330399{birth:%Y%m%d}{(i % 20) // 10 + 50:02d}{i % 10}"
            name = f"导入{n}{i:04d}".translate(str.maketrans("0123456789", "〇一二三四五六七八九"))
            rows.append((name, first17 + rules.id_check_character(first17)))
        result["importers"].append({"token": token(user), "school_code": school.code, "rows": rows})
    return result


def session(user) -> str:
    """A signed-in session, as a browser holds after logging in: the users of the test are
    already signed in (logging in, with its deliberately slow password hash, is not what
    they wait for page after page)."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def token(user) -> str:
    from portal.api.authentication import token_issue

    return token_issue(user=user)  # a fresh one: tokens expire


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except Exception:
            time.sleep(0.3)
            continue
    raise SystemExit(f"the portal did not answer at {url}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20 s instead of 60 s")
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()
    duration = "20s" if args.quick else "60s"
    setup_django(fresh=False)
    from django.core.management import call_command

    from portal.models import Teacher

    call_command("migrate", verbosity=0)

    if Teacher.objects.count() < 100_000:
        print("building the city-scale database first (bench/training_compliance.py)")
        from django.db import connections

        connections.close_all()  # the builder drops and recreates this database
        subprocess.run([sys.executable, str(ROOT / "bench" / "training_compliance.py")], check=True)
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": redis,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DEBUG": "false",
        "AXES_FAILURE_LIMIT": "1000",
    }
    with tempfile.TemporaryDirectory() as tmp:
        accounts_file = Path(tmp) / "accounts.json"
        accounts_file.write_text(json.dumps(accounts(), ensure_ascii=False), encoding="utf-8")
        env["MEDIA_ROOT"] = str(Path(tmp) / "media")
        servers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "portal.wsgi",
                    "--bind",
                    f"127.0.0.1:{PORT}",
                    "--workers",
                    "8",
                    "--threads",
                    "2",
                    # Longer than any user's wait: gunicorn's default of 2 s closes idle
                    # connections just as a client reuses them (ECONNRESET, a false failure).
                    "--keep-alive",
                    "75",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            ),
            subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "portal", "worker", "-c", "2"),
                    *("--without-mingle", "--without-gossip", "--loglevel=WARNING"),
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            ),
        ]
        try:
            wait_until_up(f"http://127.0.0.1:{PORT}/login/")
            stats = Path(tmp) / "stats"
            locust = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(args.users + 2),
                    "--spawn-rate",
                    "10",
                    "--reset-stats",  # measure the steady state, not the ramp
                    "--run-time",
                    duration,
                    "--host",
                    f"http://127.0.0.1:{PORT}",
                    "--csv",
                    str(stats),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "LOAD_ACCOUNTS": str(accounts_file)},
                check=False,
            )
            return report(stats, duration) or locust.returncode
        finally:
            for server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)


def report(stats: Path, duration: str) -> int:
    with open(f"{stats}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\nLoad test, {duration}, on {PG}: per endpoint (ms)")
    print(
        f"{'endpoint':52} {'requests':>8} {'fails':>6} "
        f"{'p50':>6} {'p95':>6} {'p99':>6} {'req/s':>7}"
    )
    failures = 0
    for row in rows:
        failures += int(row["Failure Count"])
        print(
            f"{row['Name'][:52]:52} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6} {float(row['Requests/s']):>7.1f}"
        )
    with open(f"{stats}_failures.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            print(f"FAILED {row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
