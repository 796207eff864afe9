"""Webhook signatures, the same both ways: HMAC-SHA256 over `<timestamp>.<raw body>` with the
queue's webhook secret, sent as `X-Shiftline-Signature: v1=<hex digest>` next to
`X-Shiftline-Timestamp: <unix seconds>`. A receiver recomputes the digest, compares in constant
time and refuses timestamps more than five minutes away from its clock (replays)."""


import hashlib
import hmac
from datetime import datetime, timedelta

SIGNATURE_TOLERANCE = timedelta(minutes=5)


SIGNATURE_VERSION = "v1"


TIMESTAMP_HEADER = "X-Shiftline-Timestamp"


SIGNATURE_HEADER = "X-Shiftline-Signature"


DELIVERY_HEADER = "X-Shiftline-Delivery"


IDEMPOTENCY_HEADER = "Idempotency-Key"


class SignatureRejected(Exception):
    """The request is not provably from the holder of the secret (or is too old)."""


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={digest.hexdigest()}"


def verify(*, secret: str, timestamp_header: str | None, signature_header: str | None,
           body: bytes, now: datetime) -> None:
    """Raises SignatureRejected with a message that says what to fix."""
    if not timestamp_header or not signature_header:
        raise SignatureRejected(f"Send both {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}.")
    try:
        timestamp = int(timestamp_header)
    except ValueError as error:
        raise SignatureRejected(f"{TIMESTAMP_HEADER} must be Unix time in seconds.") from error
    age = abs(now.timestamp() - timestamp)
    if age > SIGNATURE_TOLERANCE.total_seconds():
        raise SignatureRejected(
            f"{TIMESTAMP_HEADER} is {int(age)} s away from our clock; the limit is "
            f"{int(SIGNATURE_TOLERANCE.total_seconds())} s. Sign each request when sending it."
        )
    expected = sign(secret=secret, timestamp=timestamp, body=body)
    candidates = [part.strip() for part in signature_header.split(",")]
    if not any(hmac.compare_digest(expected.encode(), candidate.encode())
               for candidate in candidates):
        raise SignatureRejected("The signature does not match the body and timestamp.")
