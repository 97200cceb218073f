"""The OpenAPI schema says what the API really answers: besides each operation's success,
the errors every operation can give (validation, authentication, scope, throttling, lockout),
in the shapes DRF sends them."""

import threading

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

ERROR = {
    "type": "object",
    "description": "An error: `detail` in words, or one list of messages per field.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "The request is invalid: the messages say what to change.",
    "401": "No valid token or session.",
    "403": "This role may not do this.",
    "404": "No such object in the caller's scope.",
    "429": "Too many requests, or too many failed log-ins.",
}
# Only operations that take a body: one in a media type the operation does not read.
BODY_ERRORS = {"415": "The body is in a media type this operation does not take."}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: add the error responses to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    reference = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = {**ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for code, description in errors.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


class SchemaAccess(BasePermission):
    """The schema and the docs: for anyone where ``API_DOCS_PUBLIC`` (local, tests), else for
    a signed-in user of any role (a session or a token)."""

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class DocsView(SpectacularSwaggerSplitView):
    scoped_by = "no data: the API's description"
    """Swagger UI. It is a page: a browser that is not signed in goes to the log-in page."""

    permission_classes = [SchemaAccess]

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


class SchemaView(SpectacularAPIView):
    scoped_by = "no data: the API's description"
    """The OpenAPI schema, generated once per language and version and then served from
    memory: it only changes with the code. Generation runs under a lock, because
    drf-spectacular's generator is not thread-safe (tfranzel/drf-spectacular#1368: two
    threads generating at once gave a 500 under a threaded server)."""

    permission_classes = [SchemaAccess]
    _lock = threading.Lock()
    _schemas: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (get_language(), version, self.serve_public)
        with self._lock:
            if key not in self._schemas:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                self._schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(
            data=self._schemas[key],
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
