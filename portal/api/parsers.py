"""The API's JSON parser: DRF's, refusing with a 400 a body nested deeper than any real
request. Without it, 100,000 nested ``[`` made the decoder recurse until Python gave up
(RecursionError: a 500). The size of a body is already bounded by Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (DRF reads JSON through ``request.body``)."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from ..validators import MAX_DEPTH, too_deep  # the kernel's one depth guard


def _too_deep_error() -> ParseError:
    return ParseError(
        _("The JSON body is nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH}
    )


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep_error() from None
        if too_deep(data):
            raise _too_deep_error()
        return data
