"""OpenAPI: the brand API-key authentication (loaded in MarketplaceConfig.ready) and the error
answers every operation documents alike (a postprocessing hook in SPECTACULAR_SETTINGS)."""


from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BrandApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "marketplace.access.authentication.BrandApiKeyAuthentication"
    name = "BrandApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Your brand's API key, `sl_<prefix>_<secret>`, as a Bearer token "
            "(or in an `X-Api-Key` header).",
        }


HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# A serializer marked `extend_schema_serializer(extensions={CLOSED_OBJECT: True})` refuses
# fields it does not declare; the hook declares so (`additionalProperties: false`).
CLOSED_OBJECT = "x-refuses-unknown-fields"


# An operation marked `extend_schema(extensions={BODY_REQUIRED: True})` reads its body itself
# and refuses a request without one; the hook declares its request body required.
BODY_REQUIRED = "x-body-required"


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "code": {"type": "string", "description": "Stable machine-readable code."},
    },
    "required": ["detail"],
}


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Each invalid field under its own name with its messages; nested objects "
    "nest the same way; `detail` for an unreadable body.",
    "additionalProperties": {},
}


def _error(description: str, schema: str, example_name: str, example: object) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{schema}"},
            "examples": {example_name: {"value": example}},
        }},
    }


UNAUTHORIZED = _error("No API key, or a wrong or revoked one.", "Error", "MissingOrRevokedKey",
                      {"detail": "Invalid or revoked API key."})


NOT_FOUND = _error("No such object for your brand; another brand's ids answer the same way.",
                   "Error", "NotYours", {"detail": "Inquiry not found.", "code": "not_found"})


BAD_REQUEST = _error(
    "The input was not valid; every invalid field is listed with its messages.",
    "ValidationError", "InvalidFields",
    {"channel": ['"fax" is not a valid choice.'],
     "customer": {"email": ["Enter a valid email address."]}},
)


TOO_MANY_REQUESTS = {
    **_error("Too many requests: over your API key's rate limit, the queue's inbound limit, or "
             "too many wrong credentials from your address. Wait `Retry-After` seconds.",
             "Error", "Throttled",
             {"detail": "Request was throttled. Expected available in 21 seconds."}),
    "headers": {"Retry-After": {"description": "Seconds to wait before the next request.",
                                "schema": {"type": "integer"}}},
}


FORBIDDEN = _error("The API key may not do this.", "Error", "NotAllowed",
                   {"detail": "You do not have permission to perform this action.",
                    "code": "permission_denied"})


PAYLOAD_TOO_LARGE = _error(
    "The request body is over the size limit.", "Error", "TooLarge",
    {"detail": "The request body is larger than the limit of 2621440 bytes.",
     "code": "payload_too_large"})


UNSUPPORTED_MEDIA_TYPE = _error(
    "The body is not in a media type this operation reads (JSON unless stated).", "Error",
    "NotJson", {"detail": 'Unsupported media type "text/plain" in request.',
                "code": "unsupported_media_type"})


CONFLICT = _error("The action does not fit the object's current state (`detail`), or a name "
                  "is taken (the field with its messages).", "ValidationError", "Conflict",
                  {"detail": "Only a failed delivery can be retried.", "code": "conflict"})


UNPROCESSABLE = _error(
    "The input fits the schema but breaks a rule the schema cannot state (one field against "
    "another, the clock or stored data); the operation's description names its rules. "
    "`detail` and `code`, or each field with its messages.",
    "ValidationError", "RuleBroken", {"detail": "A shift must end after it starts.",
                            "code": "shift_ends_before_start"})


def add_error_responses(result: dict[str, Any], generator: Any, request: Any,
                        public: bool) -> dict[str, Any]:
    """Postprocessing hook: every API-key operation documents its 401 and 403, every operation
    its 429, every operation on an object its 404, every operation with input its 400 and every
    operation with a body its 413 and 415, with the same bodies and examples, unless the
    operation documents its own. A 409 or 422 an operation declares gets the error body."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    for component in schemas.values():
        if component.pop(CLOSED_OBJECT, False):
            component["additionalProperties"] = False
    for path, item in result.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            if operation.pop(BODY_REQUIRED, False) and "requestBody" in operation:
                operation["requestBody"]["required"] = True
            responses = operation.setdefault("responses", {})
            if any("BrandApiKey" in scheme for scheme in operation.get("security", [])):
                _document(responses, "401", UNAUTHORIZED)
                _document(responses, "403", FORBIDDEN)
            if "{" in path or "404" in responses:
                _document(responses, "404", NOT_FOUND)
            has_input = "requestBody" in operation or any(
                parameter.get("in") == "query" for parameter in operation.get("parameters", []))
            if has_input:
                _document(responses, "400", BAD_REQUEST)
            _document(responses, "429", TOO_MANY_REQUESTS)
            if "requestBody" in operation:
                _document(responses, "413", PAYLOAD_TOO_LARGE)
                _document(responses, "415", UNSUPPORTED_MEDIA_TYPE)
            for status, default in (("409", CONFLICT), ("422", UNPROCESSABLE)):
                if status in responses:
                    _document(responses, status, default)
    return result


def _document(responses: dict[str, Any], status: str, default: dict[str, Any]) -> None:
    """Adds the standard answer, or its body and example to an answer declared bare."""
    response = responses.setdefault(status, default)
    if "content" not in response:
        response["content"] = default["content"]
    if not response.get("description"):
        response["description"] = default["description"]
