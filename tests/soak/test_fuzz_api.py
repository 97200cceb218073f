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
from rest_framework.authtoken.models import Token

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# Not yet in make soak / CI: 14 minutes for the five roles, and three roles still report one
# undocumented content type each (see the note on issue 7). Run with `make fuzz`.
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


@pytest.mark.parametrize("role", ["province", "city", "county", "school", "teacher"])
def test_fuzz_the_api_as(role, world, live_server):
    user = world.users[role]
    token = Token.objects.create(user=user).key
    # Outside every role's scope but the province's: the other city's teacher and school;
    # and nobody's full ID number, except a teacher's own.
    forbidden = [world.far_teacher.reveal_id_number(), world.sibling_teacher.reveal_id_number()]
    if role != "province":
        forbidden += [world.far_teacher.name, world.far_school.name]
    if role in ("school", "teacher"):
        forbidden += [world.neighbour_teacher.name]
    result = subprocess.run(
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
            "PORTAL_FORBIDDEN": json.dumps(forbidden, ensure_ascii=False),
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    failures = result.stdout.find("FAILURES")
    report = result.stdout[failures - 40 :] if failures >= 0 else result.stdout[-6000:]
    assert result.returncode == 0, report[:12000] + result.stderr[-2000:]
