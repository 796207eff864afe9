"""Schemathesis hooks for `make fuzz` (loaded through SCHEMATHESIS_HOOKS): raw email
(`message/rfc822`), which the inbound email endpoint takes beside JSON, is sent as bytes."""

from typing import Any

import schemathesis


@schemathesis.serializer("message/rfc822")
def raw_email(context: Any, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")
