"""A stand-in for the network under the real Stripe SDK: a `stripe.HTTPClient` that answers
with JSON shaped like Stripe's recorded responses and records every request, so tests see the
idempotency key and the form the SDK sent. Nothing reaches the network.

settings.STRIPE_HTTP_CLIENT names this class; `stripe_fake` (conftest) clears it per test."""

import hmac
import json
import os
import threading
import time
from hashlib import sha256
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import stripe

WEBHOOK_SECRET = "whsec_test_secret"
REQUEST_LOG_VARIABLE = "FAKE_STRIPE_REQUEST_LOG"


class Recorded:
    def __init__(self, method: str, path: str, form: dict[str, str], headers: dict[str, str]):
        self.method, self.path, self.form, self.headers = method, path, form, headers

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")


class FakeStripeHttpClient(stripe.HTTPClient):
    name = "shiftline-fake"
    requests: ClassVar[list[Recorded]] = []
    # path prefix, or "<method> <path prefix>" -> (status, body) overriding the default answer
    answers: ClassVar[dict[str, tuple[int, dict[str, Any]]]] = {}
    # the transfers made in this process, in order, as Stripe lists them (newest first)
    transfers: ClassVar[list[dict[str, Any]]] = []
    # Stripe forgot every idempotency key (kept for at least 24 hours): a repeated key makes a
    # new transfer
    keys_forgotten = False
    lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.requests.clear()
        cls.answers.clear()
        cls.transfers.clear()
        cls.keys_forgotten = False

    @classmethod
    def post_requests(cls, path: str) -> list[Recorded]:
        return [request for request in cls.requests
                if request.method == "post" and request.path == path]

    def request(self, method: str, url: str, headers: Any, post_data: Any = None, *,
                _usage: Any = None) -> tuple[str, int, dict[str, str]]:
        parsed = urlparse(url)
        path = parsed.path
        raw = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        form = {key: values[0] for key, values in parse_qs(raw or parsed.query).items()}
        with self.lock:
            self.requests.append(Recorded(method, path, form, dict(headers or {})))
            count = len(self.requests)
            if log := os.environ.get(REQUEST_LOG_VARIABLE):
                # Another process (a real Celery worker) tells the test what it sent.
                with open(log, "a") as out:
                    out.write(json.dumps({"method": method, "path": path,
                                          "idempotency_key": (headers or {}).get(
                                              "Idempotency-Key")}) + "\n")
        for prefix, (status, body) in self.answers.items():
            wanted_method, _, wanted_path = prefix.rpartition(" ")
            if path.startswith(wanted_path) and wanted_method in ("", method):
                return json.dumps(body), status, {"Request-Id": f"req_{count}"}
        key = (headers or {}).get("Idempotency-Key") or f"request-{count}"
        if self.keys_forgotten:
            key = f"{key}:forgotten:{count}"
        if path == "/v1/transfers" and method == "get":
            return json.dumps(self._transfer_list(form)), 200, {"Request-Id": f"req_{count}"}
        answer = self._default(method, path, form, key)
        if path == "/v1/transfers" and method == "post":
            with self.lock:
                if all(transfer["id"] != answer["id"] for transfer in self.transfers):
                    self.transfers.insert(0, answer)
        return json.dumps(answer), 200, {"Request-Id": f"req_{count}"}

    @classmethod
    def _transfer_list(cls, query: dict[str, str]) -> dict[str, Any]:
        found = [transfer for transfer in cls.transfers
                 if transfer["destination"] == query.get("destination", transfer["destination"])]
        return {"object": "list", "url": "/v1/transfers", "has_more": False, "data": found}

    def close(self) -> None:
        return None

    @staticmethod
    def _default(method: str, path: str, form: dict[str, str], key: str) -> dict[str, Any]:
        if path == "/v1/transfers":
            # One transfer per idempotency key, as Stripe answers a repeated key, whichever
            # process asks.
            return transfer_json(f"tr_{sha256(key.encode()).hexdigest()[:16]}",
                                 amount=int(form["amount"]), currency=form["currency"],
                                 destination=form["destination"],
                                 payout_id=form.get("metadata[shiftline_payout_id]", ""))
        if path == "/v1/accounts" and method == "post":
            return {"id": "acct_1Expert0000001", "object": "account", "type": "express",
                    "country": form.get("country"), "email": form.get("email"),
                    "details_submitted": False, "payouts_enabled": False,
                    "capabilities": {"transfers": "inactive"}}
        if path.startswith("/v1/accounts/"):
            return {"id": path.rsplit("/", 1)[1], "object": "account", "type": "express",
                    "details_submitted": True, "payouts_enabled": True,
                    "capabilities": {"transfers": "active"}}
        if path == "/v1/account_links":
            return {"object": "account_link", "created": 1764547200,
                    "expires_at": 1764547500,
                    "url": f"https://connect.stripe.com/setup/e/{form['account']}/abc123"}
        return {"error": {"type": "invalid_request_error", "message": f"no fake for {path}"}}


def transfer_json(transfer_id: str, *, amount: int, currency: str, destination: str,
                  payout_id: str, reversed_: bool = False,
                  amount_reversed: int | None = None) -> dict[str, Any]:
    """`reversed_` reverses all of it; `amount_reversed` alone, part of it (Stripe's
    `transfer.reversed` event fires for a partial reversal too, with `reversed` false)."""
    if amount_reversed is None:
        amount_reversed = amount if reversed_ else 0
    return {
        "id": transfer_id, "object": "transfer", "amount": amount,
        "amount_reversed": amount_reversed, "balance_transaction": "txn_1",
        "created": 1764547200, "currency": currency, "description": None,
        "destination": destination, "destination_payment": "py_1", "livemode": False,
        "metadata": {"shiftline_payout_id": payout_id} if payout_id else {},
        "reversals": {"object": "list", "data": [], "has_more": False,
                      "url": f"/v1/transfers/{transfer_id}/reversals"},
        "reversed": reversed_, "source_transaction": None, "source_type": "card",
        "transfer_group": None,
    }


def signed_event(event_type: str, data_object: dict[str, Any], *,
                 secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, signed as Stripe documents
    (HMAC-SHA256 of "<timestamp>.<body>")."""
    body = json.dumps({
        "id": "evt_1", "object": "event", "api_version": "2025-01-27.acacia",
        "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
        "type": event_type, "data": {"object": data_object},
    })
    timestamp = int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), sha256).hexdigest()
    return body.encode(), f"t={timestamp},v1={signature}"
