"""OpenAPI for API-key scopes (a postprocessing hook in SPECTACULAR_SETTINGS, after the common
error answers): the scheme lists every scope, and each operation that names one says so in its
description and `x-required-scopes` and documents the 403 a key without it gets."""


from typing import Any

from marketplace.access.scopes import (
    DEFAULT_SCOPES,
    SCOPE_EXTENSION,
    ApiScope,
    missing_scope_body,
)

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


SCOPE_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "code": {"type": "string", "enum": ["missing_scope"]},
        "required_scope": {"type": "string", "enum": list(ApiScope.values),
                           "description": "The scope the key lacks."},
    },
    "required": ["detail", "code", "required_scope"],
}


def scopes_description() -> str:
    rows = "\n".join(f"| `{scope.value}` | {scope.label} |" for scope in ApiScope)
    defaults = " and ".join(f"`{scope}`" for scope in DEFAULT_SCOPES)
    return ("\n\nEach key holds the scopes chosen when it was created (a new key starts with "
            f"{defaults}); each operation names the one it needs in `x-required-scopes`, and a "
            "key without it gets a 403 naming it.\n\n| scope | allows |\n|---|---|\n" + rows)


def document_scopes(result: dict[str, Any], generator: Any, request: Any,
                    public: bool) -> dict[str, Any]:
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).setdefault("ScopeError", SCOPE_ERROR_SCHEMA)
    scheme = components.get("securitySchemes", {}).get("BrandApiKey")
    if scheme is not None and "| scope |" not in scheme.get("description", ""):
        scheme["description"] = scheme.get("description", "") + scopes_description()
    for item in result.get("paths", {}).values():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is not None and SCOPE_EXTENSION in operation:
                _document_operation(operation, ApiScope(operation[SCOPE_EXTENSION][0]))
    return result


def _document_operation(operation: dict[str, Any], scope: ApiScope) -> None:
    operation["description"] = (operation.get("description", "").rstrip()
                                + f"\n\nAPI-key scope: `{scope.value}` ({scope.label}).")
    operation.setdefault("responses", {}).setdefault("403", {
        "description": f"The API key lacks the scope `{scope.value}`.",
        "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ScopeError"},
            "examples": {"MissingScope": {"value": missing_scope_body(scope)}},
        }},
    })
