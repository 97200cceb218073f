"""The OpenAPI schema says what the API really answers: besides each operation's success,
the errors every operation can give (validation, authentication, scope, throttling, lockout),
in the shapes DRF sends them."""

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


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: add the error responses to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR
    reference = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERRORS.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
