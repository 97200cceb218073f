"""Model and form validators built on the kernel's rules, so that the admin, the forms,
the API and the services refuse the same values as the imports."""

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
