"""Password rules fit for a government system (等保 2.0 asks for complexity)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for pattern in _CLASSES if re.search(pattern, password))
        if present < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must contain at least %(count)d of: lower-case letters, "
            "upper-case letters, digits and symbols."
        ) % {"count": self.min_classes}
