"""Exact shapes of the JSON fields bureaus write (a rule set's conversions and caps, a
programme's stages and reserved shares, a tier's runners per stage): one reader per shape
that returns the value as the code uses it or raises a ``ValidationError`` naming the field.

The same reader is the field's validator (run by ``full_clean`` in the services and by every
ModelForm, the admin's included) and the tolerant reading of a value already stored, so what
is refused on the way in is exactly what the nightly jobs skip on the way out.

No ORM here; ``talent`` uses it too (it reads ``training``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Only what looks like a code is repeated in a message: never free text a user typed (it
# could hold a name or an ID number).
CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")


def _shown(key) -> str:
    return key if isinstance(key, str) and CODE.fullmatch(key) else "…"


def _kind(value) -> str:
    """What a JSON value is, in words (the value itself is not repeated)."""
    if value is None:
        return _("null")
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, (int, float, Decimal)):
        return _("a number")
    if isinstance(value, str):
        return _("a text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return _("an unknown value")


def _allowed(choices: Mapping[str, str]) -> str:
    return _(", ").join(
        _("%(code)s (%(label)s)") % {"code": code, "label": label}
        for code, label in choices.items()
    )


def _fail(message: str, code: str = "shape") -> ValidationError:
    return ValidationError(message, code=code)


def number(value, *, field: str, key: str, low: Decimal, high: Decimal) -> Decimal:
    """A JSON number (or a string of one, as the shipped presets write it) between ``low``
    and ``high`` inclusive: never a boolean, null, NaN or an infinity."""
    parsed = None
    if isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
        try:
            parsed = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            parsed = None
    if parsed is not None and not parsed.is_finite():
        raise _fail(
            _("%(field)s: the value of “%(key)s” must be a finite number.")
            % {"field": field, "key": _shown(key)}
        )
    if parsed is None:
        raise _fail(
            _("%(field)s: the value of “%(key)s” must be a number, not %(kind)s.")
            % {"field": field, "key": _shown(key), "kind": _kind(value)}
        )
    if not low <= parsed <= high:
        raise _fail(
            _("%(field)s: the value of “%(key)s” must be between %(low)s and %(high)s.")
            % {"field": field, "key": _shown(key), "low": low, "high": high}
        )
    return parsed


def number_map(
    value, *, field: str, keys: Mapping[str, str], low: Decimal, high: Decimal, example: str
) -> dict[str, Decimal]:
    """A mapping of known keys to numbers in [low, high]. Empty (``None``, ``{}``) is ``{}``."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        raise _fail(
            _("%(field)s must be a mapping such as %(example)s, not %(kind)s.")
            % {"field": field, "example": example, "kind": _kind(value)}
        )
    result = {}
    for key, item in value.items():
        if key not in keys:
            raise _fail(
                _("%(field)s: “%(key)s” is not one of %(allowed)s.")
                % {"field": field, "key": _shown(key), "allowed": _allowed(keys)}
            )
        result[key] = number(item, field=field, key=key, low=low, high=high)
    return result


def code_list(value, *, field: str, choices: Mapping[str, str], example: str) -> list[str]:
    """A list of distinct codes from ``choices``. Empty (``None``, ``[]``) is ``[]``."""
    if value is None or value == []:
        return []
    if not isinstance(value, list):
        raise _fail(
            _("%(field)s must be a list such as %(example)s, not %(kind)s.")
            % {"field": field, "example": example, "kind": _kind(value)}
        )
    seen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in choices:
            raise _fail(
                _("%(field)s: “%(value)s” is not one of %(allowed)s.")
                % {"field": field, "value": _shown(item), "allowed": _allowed(choices)}
            )
        if item in seen:
            raise _fail(
                _("%(field)s: “%(value)s” appears twice.") % {"field": field, "value": item}
            )
        seen.append(item)
    return seen


def code_map(
    value,
    *,
    field: str,
    keys: Mapping[str, str],
    values: Mapping[str, str],
    example: str,
) -> dict[str, str]:
    """A mapping of codes from ``keys`` to codes from ``values``. Empty is ``{}``."""
    if value is None or value == {}:
        return {}
    if not isinstance(value, dict):
        raise _fail(
            _("%(field)s must be a mapping such as %(example)s, not %(kind)s.")
            % {"field": field, "example": example, "kind": _kind(value)}
        )
    for key, item in value.items():
        if key not in keys:
            raise _fail(
                _("%(field)s: “%(key)s” is not one of %(allowed)s.")
                % {"field": field, "key": _shown(key), "allowed": _allowed(keys)}
            )
        if not isinstance(item, str) or item not in values:
            raise _fail(
                _("%(field)s: the value of “%(key)s” must be one of %(allowed)s.")
                % {"field": field, "key": _shown(key), "allowed": _allowed(values)}
            )
    return dict(value)


def stored(reader, value, *, default, what: str):
    """A stored value read with its reader, or ``default`` (logged) when it no longer has
    its shape (written around the validators, or before them): one bad row never takes a
    page or a nightly job down."""
    import logging

    from django.core.exceptions import ValidationError

    try:
        return reader(value)
    except ValidationError:
        logging.getLogger(__name__).error("stored %s has a bad shape: read as empty", what)
        return default
