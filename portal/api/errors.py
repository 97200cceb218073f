"""Django's ValidationError, raised by the services, in the shape DRF answers with: one list
of messages per field, and the messages about no one field under ``non_field_errors``."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


def as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({"non_field_errors": exc.messages})
