"""The documented dump and restore (ops/backup.sh, ops/restore.sh, docs/operations.md): a
dump of the database restored into a fresh database gives the same figures, and every ID
number in it still decrypts and matches its lookup hash."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from training import services as training

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def url(name: str) -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{name}"


def figures(name: str) -> dict:
    result = subprocess.run(
        [sys.executable, "manage.py", "figures"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": url(name),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def run(*command):
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)


def test_a_dump_restored_into_a_fresh_database_gives_the_same_figures(world, tmp_path):
    training.summaries_recompute()
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"
    before = figures(source)
    assert before["counts"]["portal.Teacher"] == before["id_numbers_readable"] > 0
    assert before["counts"]["talent.Attainment"] and before["counts"]["honors.Award"]
    dump = tmp_path / "portal.dump"
    run("ops/backup.sh", url(source), str(dump))
    run("psql", url("postgres"), "-qc", f"DROP DATABASE IF EXISTS {restored}")
    run("psql", url("postgres"), "-qc", f"CREATE DATABASE {restored}")
    try:
        run("ops/restore.sh", str(dump), url(restored))
        assert figures(restored) == before
    finally:
        run("psql", url("postgres"), "-qc", f"DROP DATABASE IF EXISTS {restored}")
