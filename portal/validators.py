"""Model and form validators built on the kernel's rules, so that the admin, the forms,
the API and the services refuse the same values as the imports."""

import json

from django.core.exceptions import ValidationError

from . import rules


def validate_person_name(value: str) -> None:
    problem = rules.person_name_problem(value or "")
    if problem:
        raise ValidationError(problem, code="person_name")


def validate_no_id_number(value: str) -> None:
    problem = rules.id_number_in_text_problem(value or "")
    if problem:
        raise ValidationError(problem, code="id_number_in_text")


# Real JSON values are a few levels deep (an object holding a list of ids or a dict of
# options): the API's bodies, the imports' options and the JSON fields users type.
MAX_DEPTH = 32


def too_deep(data, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class SafeJSONDecoder(json.JSONDecoder):
    """The decoder of every JSON field a user types into (rule sets, ladders): text too long,
    nested too deep or holding a number too long to read is an invalid value (the form says
    "Enter a valid JSON"), never a server error."""

    MAX_CHARS = 20_000

    def decode(self, s, *args, **kwargs):
        if isinstance(s, str) and len(s) > self.MAX_CHARS:
            raise json.JSONDecodeError("the value is too long", s[:50], 0)
        try:
            value = super().decode(s, *args, **kwargs)
        except (RecursionError, ValueError) as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            raise json.JSONDecodeError(
                str(exc)[:100], s[:50] if isinstance(s, str) else "", 0
            ) from None
        if too_deep(value):
            raise json.JSONDecodeError("the value is nested too deep", s[:50], 0)
        return value
