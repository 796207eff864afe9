"""The OpenAPI schema documents every operation: a summary, a description, examples and the
errors it can answer with. Operations added later are held to the same bar automatically."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from marketplace.infra.schema import (
    BAD_REQUEST,
    CLOSED_OBJECT,
    CONFLICT,
    NOT_FOUND,
    UNPROCESSABLE,
    add_error_responses,
)

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items() if method in HTTP_METHODS
    ]


def examples_of(operation: dict[str, Any]) -> list[str]:
    bodies = [operation.get("requestBody", {}), *operation["responses"].values()]
    return [name for body in bodies for media in body.get("content", {}).values()
            for name in media.get("examples", {})]


def test_schema_validates_without_warnings(tmp_path: Path) -> None:
    call_command("spectacular", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")


def test_schema_has_operations() -> None:
    assert len(operations()) >= 4


@pytest.mark.parametrize(("path", "method", "operation"), operations(),
                         ids=[f"{method.upper()} {path}" for path, method, _ in operations()])
def test_every_operation_has_summary_description_and_examples(
    path: str, method: str, operation: dict[str, Any]
) -> None:
    assert operation.get("summary"), f"{method.upper()} {path} has no summary"
    assert operation.get("description"), f"{method.upper()} {path} has no description"
    assert examples_of(operation), f"{method.upper()} {path} has no example"


@pytest.mark.parametrize(("path", "method", "operation"), operations(),
                         ids=[f"{method.upper()} {path}" for path, method, _ in operations()])
def test_api_key_operations_document_their_errors(
    path: str, method: str, operation: dict[str, Any]
) -> None:
    if {"BrandApiKey": []} not in operation.get("security", []):
        pytest.skip("not an API-key operation")

    assert "401" in operation["responses"]
    assert "examples" in operation["responses"]["401"]["content"]["application/json"]
    if "{" in path:
        assert "404" in operation["responses"], f"{method.upper()} {path} documents no 404"
    if "requestBody" in operation or any(
            parameter["in"] != "path" for parameter in operation.get("parameters", [])):
        assert "400" in operation["responses"], f"{method.upper()} {path} documents no 400"


def test_api_key_security_scheme_is_described() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    scheme = schema["components"]["securitySchemes"]["BrandApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "sl_<prefix>_<secret>" in scheme["description"]


@pytest.mark.django_db
def test_schema_and_docs_are_served() -> None:
    client = Client()

    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Shiftline API"
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_error_hook_documents_missing_errors_and_keeps_declared_ones() -> None:
    declared = {"description": "Gone for good.", "content": {"application/json": {}}}
    schema = {"paths": {
        "/api/v1/things/{thing_id}": {"get": {"security": [{"BrandApiKey": []}],
                                              "responses": {"200": {}, "404": declared}}},
        "/api/v1/things": {"post": {"security": [{"BrandApiKey": []}], "requestBody": {},
                                    "responses": {"404": {"description": ""}}}},
    }}

    result = add_error_responses(schema, None, None, True)

    detail = result["paths"]["/api/v1/things/{thing_id}"]["get"]["responses"]
    create = result["paths"]["/api/v1/things"]["post"]["responses"]
    assert sorted(detail) == ["200", "401", "403", "404", "429"]
    assert detail["404"] is declared
    assert sorted(create) == ["400", "401", "403", "404", "413", "415", "429"]
    assert detail["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    assert create["404"]["description"] == NOT_FOUND["description"]
    assert create["400"] == BAD_REQUEST
    assert set(result["components"]["schemas"]) == {"Error", "ValidationError"}


def test_error_hook_fills_declared_409_and_422_and_closes_marked_objects() -> None:
    schema = {
        "paths": {"/api/v1/things": {"post": {
            "security": [{"BrandApiKey": []}], "requestBody": {},
            "responses": {"409": {"description": "Taken."}, "422": {"description": ""}}}}},
        "components": {"schemas": {"ThingInput": {"type": "object", CLOSED_OBJECT: True},
                                   "Open": {"type": "object"}}},
    }

    result = add_error_responses(schema, None, None, True)

    responses = result["paths"]["/api/v1/things"]["post"]["responses"]
    assert responses["409"]["description"] == "Taken."
    assert responses["409"]["content"] == CONFLICT["content"]
    assert responses["422"] == {**UNPROCESSABLE, "description": UNPROCESSABLE["description"]}
    assert result["components"]["schemas"]["ThingInput"] == {"type": "object",
                                                             "additionalProperties": False}
    assert "additionalProperties" not in result["components"]["schemas"]["Open"]


def test_every_api_key_operation_documents_403_and_429_and_bodies_413_and_415() -> None:
    for path, method, operation in operations():
        if {"BrandApiKey": []} not in operation.get("security", []):
            continue
        assert {"403", "429"} <= set(operation["responses"]), f"{method.upper()} {path}"
        if "requestBody" in operation:
            assert {"413", "415"} <= set(operation["responses"]), f"{method.upper()} {path}"
