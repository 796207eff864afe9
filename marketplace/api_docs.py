"""Shared OpenAPI pieces of the brand API: the error bodies every operation may answer with,
with examples, so each operation documents its 400/401/404 the same way."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorOutputSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(required=False,
                                 help_text="Stable machine-readable code, e.g. `not_found`.")


class ValidationErrorOutputSerializer(serializers.Serializer):
    """Field name → list of messages; nested objects nest the same way."""

    any_field = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="Each invalid field appears under its own name with its messages.",
    )


BAD_REQUEST = OpenApiResponse(
    response=ValidationErrorOutputSerializer,
    description="The input was not valid; every invalid field is listed with its messages.",
    examples=[OpenApiExample(
        "Invalid fields", status_codes=["400"], response_only=True,
        value={"channel": ['"fax" is not a valid choice.'],
               "customer": {"email": ["Enter a valid email address."]}},
    )],
)
UNAUTHORIZED = OpenApiResponse(
    response=ErrorOutputSerializer,
    description="No API key, or a wrong or revoked one.",
    examples=[OpenApiExample(
        "Missing or revoked key", status_codes=["401"], response_only=True,
        value={"detail": "Invalid or revoked API key."},
    )],
)
NOT_FOUND = OpenApiResponse(
    response=ErrorOutputSerializer,
    description="No such object for your brand (another brand's ids answer the same way).",
    examples=[OpenApiExample(
        "Unknown inquiry", status_codes=["404"], response_only=True,
        value={"detail": "Inquiry not found.", "code": "not_found"},
    )],
)


def with_errors(responses: dict[int, Any], *, not_found: bool = True,
                bad_request: bool = True) -> dict[int, Any]:
    """`responses` plus the error answers an API-key operation can give."""
    errors: dict[int, Any] = {401: UNAUTHORIZED}
    if bad_request:
        errors[400] = BAD_REQUEST
    if not_found:
        errors[404] = NOT_FOUND
    return {**responses, **errors}
