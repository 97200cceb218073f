"""API fuzzing: schemathesis generates requests from the project's own OpenAPI schema and
sends them, with a token of each role, to a live server on the test database. No 5xx, every
status and body as the schema says, and nothing outside the role's scope in any response
(``schemathesis_hooks.py``)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.api.authentication import token_issue

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "response_schema_conformance",
        "content_type_conformance",
        "nothing_outside_the_scope",
    ]
)


ROLES = ["province", "city", "county", "school", "teacher"]


def forbidden_for(role, world) -> list[str]:
    """What a role's responses may never show: outside every role's scope but the
    province's, the other city's teacher and school; beside a school's, the neighbouring
    county's teacher; and nobody's full ID number (a teacher's own page is not in the API)."""
    forbidden = [world.far_teacher.reveal_id_number(), world.sibling_teacher.reveal_id_number()]
    if role != "province":
        forbidden += [world.far_teacher.name, world.far_school.name]
    if role in ("school", "teacher"):
        forbidden += [world.neighbour_teacher.name]
    return forbidden


def test_fuzz_the_api_with_a_token_of_each_role(world, live_server, monkeypatch):
    """The five runs go side by side against the one live server (threaded), each with its
    own token and its own list of what it must not see. The token door's throttle (tested in
    test_api) is lifted: schemathesis would wait out every 429's Retry-After."""
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "100000/min"})
    runs = {}
    for role in ROLES:
        token = token_issue(user=world.users[role])
        runs[role] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{live_server.url}/api/schema/",
                "--header",
                f"Authorization: Token {token}",
                "--checks",
                CHECKS,
                "--phases",
                "examples,coverage,fuzzing",
                # Valid and malformed input alike: a 500 on either fails the run.
                "--mode",
                "all",
                "--max-examples",
                "8",
                "--exclude-method",
                "DELETE",
                "--seed",
                "2026",
                "--no-color",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": str(HERE / "schemathesis_hooks.py"),
                "PORTAL_FORBIDDEN": json.dumps(forbidden_for(role, world), ensure_ascii=False),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    reports = {}
    for role, process in runs.items():
        output, _ = process.communicate(timeout=1200)
        if process.returncode != 0:
            failures = output.find("FAILURES")
            reports[role] = output[failures - 40 :] if failures >= 0 else output[-6000:]
    assert not reports, "\n\n".join(f"### {role}\n{text[:8000]}" for role, text in reports.items())
