"""Request bodies the database can store: bounded in size, valid UTF-8, no NUL characters and
no lone surrogates (PostgreSQL refuses both in text columns, which would surface as a 500),
nested no deeper than MAX_JSON_DEPTH."""


import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

# Deeper JSON is a 400: every walk over decoded JSON recurses, and ~1,000 levels would end in
# a RecursionError (a 500).
MAX_JSON_DEPTH = 64
TOO_DEEP = f"The JSON nests deeper than {MAX_JSON_DEPTH} levels."


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than the limit of {limit} bytes.")


def body_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def read_limited(stream: IO[bytes] | None, limit: int) -> bytes:
    if stream is None:
        return b""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(limit)
    return data


def text_problem(value: str) -> str | None:
    """Why PostgreSQL would refuse this text, or None."""
    if "\x00" in value:
        return "NUL characters (\\u0000) are not allowed in text."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "The text holds an unpaired surrogate (invalid Unicode)."
    return None


def find_text_problem(value: Any) -> str | None:
    """The first problem in any string, key or value of decoded JSON."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = find_text_problem(key) or find_text_problem(item)
            if problem:
                return problem
    if isinstance(value, list):
        for item in value:
            problem = find_text_problem(item)
            if problem:
                return problem
    return None


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether decoded JSON's arrays and objects nest more than `limit` levels (`[[]]` is two).
    Iterative, so any depth the decoder produced can be measured."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def decode_json(raw: bytes) -> Any:
    """Strict JSON from bytes: 400 (ParseError) for invalid UTF-8, bad JSON, nesting deeper
    than MAX_JSON_DEPTH (the decoder's own recursion limit included) or unstorable text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"The body is not valid UTF-8 (byte {error.start}).") from error
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ParseError(f"The body is not valid JSON: {error}") from error
    except RecursionError as error:
        raise ParseError(TOO_DEEP) from error
    if nests_deeper_than(data, MAX_JSON_DEPTH):
        raise ParseError(TOO_DEEP)
    problem = find_text_problem(data)
    if problem:
        raise ParseError(problem)
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream: IO[Any], media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = body_limit()
        if request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise PayloadTooLarge(limit)
        return decode_json(read_limited(stream, limit))
