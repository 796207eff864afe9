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


def add_error_responses(result: dict[str, Any], generator: Any, request: Any,
                        public: bool) -> dict[str, Any]:
    """Postprocessing hook: every API-key operation documents its 401, every operation on an
    object its 404, every operation with input its 400 and every operation its 429, with the
    same bodies and examples, unless the operation documents its own."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    for path, item in result.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            if any("BrandApiKey" in scheme for scheme in operation.get("security", [])):
                _document(responses, "401", UNAUTHORIZED)
            if "{" in path or "404" in responses:
                _document(responses, "404", NOT_FOUND)
            has_input = "requestBody" in operation or any(
                parameter.get("in") == "query" for parameter in operation.get("parameters", []))
            if has_input:
                _document(responses, "400", BAD_REQUEST)
            _document(responses, "429", TOO_MANY_REQUESTS)
    return result


def _document(responses: dict[str, Any], status: str, default: dict[str, Any]) -> None:
    """Adds the standard answer, or its body and example to an answer declared bare."""
    response = responses.setdefault(status, default)
    if "content" not in response:
        response["content"] = default["content"]
    if not response.get("description"):
        response["description"] = default["description"]
