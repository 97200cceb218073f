"""A schemathesis check of our own, loaded through SCHEMATHESIS_HOOKS by test_fuzz_api:
no response may show what lies outside the caller's scope (names of teachers and schools of
another city, full ID numbers), whatever the request."""

import json
import os

import schemathesis

FORBIDDEN = json.loads(os.environ.get("PORTAL_FORBIDDEN", "[]"))


@schemathesis.check
def nothing_outside_the_scope(ctx, response, case):
    text = response.content.decode("utf-8", errors="replace")
    for item in FORBIDDEN:
        if item in text:
            raise AssertionError(f"the response shows {item!r}, outside the caller's scope")
