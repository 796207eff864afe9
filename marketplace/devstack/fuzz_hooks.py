"""Schemathesis hooks for `make fuzz` and its smaller run in `make test` (loaded through
SCHEMATHESIS_HOOKS, or imported): raw email (`message/rfc822`), which the inbound email
endpoint takes beside JSON, is sent as the bytes of the generated text. A generated value that
is not text (the negative cases' `0`, `false`, `null`) has no bytes of its own: it is sent as
an empty body, which the endpoint refuses as not mail at all."""

from typing import Any

import schemathesis


@schemathesis.serializer("message/rfc822")
def raw_email(context: Any, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return b""
