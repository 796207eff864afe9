"""Inbound endpoints for machines that hold a queue secret instead of an API key: the signed
helpdesk webhook and inbound email. They read the raw body themselves (the signature covers the
exact bytes), so size, encoding and content type are checked here, each with a clear 4xx."""


import logging
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import (
    AuthenticationFailed,
    NotAuthenticated,
    UnsupportedMediaType,
    ValidationError,
)
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.access.throttles import (
    InboundQueueThrottle,
    credential_failure_record,
    credential_failures_require_below_limit,
)
from marketplace.infra import signing
from marketplace.infra.errors import Unauthenticated
from marketplace.infra.parsers import PayloadTooLarge, body_limit, decode_json
from marketplace.infra.schema import BODY_REQUIRED
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.api_examples import CREATE_EXAMPLE, INQUIRY_EXAMPLE
from marketplace.inquiries.models import Inquiry, InquirySource
from marketplace.inquiries.serializers import InquiryOutputSerializer
from marketplace.intake import inbound_email
from marketplace.intake import services as intake_services
from marketplace.intake.api import InquiryCreateApi
from marketplace.intake.inbound_auth import (
    BasicCredentials,
    HasBasicCredentials,
    InboundEmailBasicAuthentication,
    inbound_email_token_matches,
    require_inbound_email_credentials,
)
from marketplace.intake.mail.parsing import parse_normalized, parse_raw
from marketplace.queues import selectors as queues_selectors
from marketplace.queues.models import OverflowQueue

logger = logging.getLogger(__name__)


DELIVERY_ID_PATTERN = re.compile(r"[A-Za-z0-9._:\-]{1,100}")


JSON = "application/json"


RAW_EMAIL = "message/rfc822"


def raw_body(request: Request) -> bytes:
    limit = body_limit()
    try:
        body: bytes = request.body
    except RequestDataTooBig as error:
        raise PayloadTooLarge(limit) from error
    if len(body) > limit:
        raise PayloadTooLarge(limit)
    return body


def require_content_type(request: Request, *allowed: str) -> str:
    content_type = request.content_type.split(";", 1)[0].strip().lower()
    if content_type not in allowed:
        raise UnsupportedMediaType(content_type or "none",
                                   detail=f"Send {' or '.join(allowed)}, "
                                   f"not {content_type or 'no Content-Type'}.")
    return content_type


class InboundApi(APIView):
    """Throttled per queue (429 with Retry-After); an address that sent too many wrong
    secrets or signatures lately is refused before its next one is checked."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    parser_classes: list[type] = []
    throttle_classes = [InboundQueueThrottle]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        credential_failures_require_below_limit(request)

    def handle_exception(self, exc: Exception) -> Response:
        # Wrong secrets, signatures or basic-auth credentials, and basic auth left out.
        if isinstance(exc, Unauthenticated | AuthenticationFailed | NotAuthenticated):
            credential_failure_record(self.request)
        return super().handle_exception(exc)


@extend_schema_serializer(component_name="QueueWebhookInput")
class WebhookInputSerializer(InquiryCreateApi.InputSerializer):
    event = serializers.ChoiceField(choices=["inquiry.created", "message.created"],
                                    default="inquiry.created")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """A `message.created` event needs only `external_id` and `body`."""
        super().__init__(*args, **kwargs)
        self.fields.pop("queue")
        data = kwargs.get("data")
        if isinstance(data, dict) and data.get("event") == "message.created":
            for name in ("channel", "subject", "language", "customer"):
                self.fields.pop(name)


WEBHOOK_DESCRIPTION = """Your helpdesk pushes inquiries to one queue, signed with the queue's
webhook secret (the same secret signs our replies to your outbound webhook).

* `X-Shiftline-Timestamp`: Unix time in seconds when you sent the request; more than 5 minutes
  away from our clock is refused (401).
* `X-Shiftline-Signature`: `v1=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the secret.
* `X-Shiftline-Delivery`: your unique id for this delivery (letters, digits, `._:-`, up to 100).
  A repeated id is not processed again: it answers with the first result and
  `X-Shiftline-Replayed: true`.

`event` is `inquiry.created` (the fields of inquiry_create) or `message.created`
(`external_id` of an existing inquiry and the customer's `body`)."""


class QueueWebhookApi(InboundApi):
    @extend_schema(
        operation_id="queue_webhook_receive",
        summary="Signed webhook from a helpdesk",
        description=WEBHOOK_DESCRIPTION,
        auth=[],
        parameters=[
            OpenApiParameter(signing.TIMESTAMP_HEADER, str, OpenApiParameter.HEADER,
                             required=True),
            OpenApiParameter(signing.SIGNATURE_HEADER, str, OpenApiParameter.HEADER,
                             required=True),
            OpenApiParameter(signing.DELIVERY_HEADER, str, OpenApiParameter.HEADER,
                             required=True),
        ],
        request={JSON: WebhookInputSerializer},
        extensions={BODY_REQUIRED: True},
        responses={201: InquiryOutputSerializer, 200: InquiryOutputSerializer,
                   401: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT,
                   413: OpenApiTypes.OBJECT, 415: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample("A new inquiry", request_only=True,
                           value={"event": "inquiry.created", **CREATE_EXAMPLE}),
            OpenApiExample("A customer reply", request_only=True,
                           value={"event": "message.created", "external_id": "zendesk-48213",
                                  "body": "Any news?"}),
            OpenApiExample("Created", response_only=True, status_codes=["201"],
                           value=INQUIRY_EXAMPLE),
            OpenApiExample("Too old", response_only=True, status_codes=["401"],
                           value={"detail": "X-Shiftline-Timestamp is 912 s away from our "
                                  "clock; the limit is 300 s. Sign each request when sending "
                                  "it.", "code": "bad_signature"}),
        ],
    )
    def post(self, request: Request, queue_id: int) -> Response:
        now = timezone.now()
        queue = queues_selectors.queue_get_for_inbound(queue_id=queue_id)
        require_content_type(request, JSON)
        body = raw_body(request)
        intake_services.webhook_verify(
            queue=queue,
            timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
            signature=request.headers.get(signing.SIGNATURE_HEADER),
            body=body,
            now=now,
        )
        delivery_id = request.headers.get(signing.DELIVERY_HEADER, "")
        if not DELIVERY_ID_PATTERN.fullmatch(delivery_id):
            raise ValidationError({signing.DELIVERY_HEADER: [
                "Required: up to 100 letters, digits or ._:- identifying this delivery."]})
        serializer = WebhookInputSerializer(data=decode_json(body))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = intake_services.webhook_process_once(
            queue=queue, delivery_id=delivery_id, now=now,
            handle=lambda: _handle_webhook(queue, data, now),
        )
        response = Response(result.body, status=result.status)
        if result.replayed:
            response["X-Shiftline-Replayed"] = "true"
        return response


def _handle_webhook(queue: OverflowQueue, data: dict[str, Any],
                    now: Any) -> tuple[int, dict[str, Any], Inquiry | None]:
    if data["event"] == "message.created":
        inquiry = inquiries_selectors.inquiry_get_by_external_id(
            brand_id=queue.brand_id, external_id=data["external_id"])
        intake_services.inquiry_add_customer_message(inquiry_id=inquiry.pk, body=data["body"],
                                                     now=now)
        inquiry.refresh_from_db()
        return 201, dict(InquiryOutputSerializer(inquiry).data), inquiry
    inquiry, created = intake_services.inquiry_create(
        intake=intake_services.InquiryIntake(
            queue=queue, external_id=data["external_id"], channel=data["channel"],
            subject=data["subject"], body=data["body"], language=data["language"],
            customer_email=data["customer"]["email"],
            customer_name=data["customer"].get("name", ""), source=InquirySource.WEBHOOK,
        ),
        now=now,
    )
    return (201 if created else 200), dict(InquiryOutputSerializer(inquiry).data), inquiry


BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


def _mail_text(help_text: str = "") -> serializers.CharField:
    return serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                 trim_whitespace=False, help_text=help_text)


@extend_schema_field({"oneOf": [{"type": "object", "additionalProperties": {}},
                               {"type": "array", "items": {}}], "nullable": True})
class HeadersField(serializers.JSONField):
    pass


class NormalizedAttachmentSerializer(serializers.Serializer):
    filename = _mail_text()
    content_type = _mail_text()
    content = serializers.RegexField(BASE64, required=False, allow_null=True, allow_blank=True,
                                     help_text="The file, base64-encoded.")


class NormalizedEmailSerializer(serializers.Serializer):
    """anymail's normalized inbound message fields (AnymailInboundMessage.construct). Plain
    strings by design, none required: whatever a mail provider sends is kept, a broken or
    missing From included. Only a body that is not this shape at all is a 400."""

    from_email = _mail_text("The From header: 'Sam <sam@example.com>'.")
    to = _mail_text()
    cc = _mail_text()
    subject = _mail_text()
    text = _mail_text()
    html = _mail_text()
    raw_headers = _mail_text()
    headers = HeadersField(
        required=False, allow_null=True,
        help_text="Message-ID, In-Reply-To, References …: an object of header names and "
        "values, or a list of [name, value] pairs.")
    attachments = NormalizedAttachmentSerializer(many=True, required=False, allow_null=True)


class EmailReceivedSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=["inquiry", "threaded", "delivery_failure", "mail_log"],
        help_text="inquiry: a new email inquiry; threaded: joined its conversation; "
        "delivery_failure: a bounce of a reply we sent, recorded on its inquiry; mail_log: kept "
        "in the queue's mail log (other bounces, automatic replies, list mail, mail without a "
        "sender to answer).")
    inquiry = InquiryOutputSerializer(allow_null=True)
    message_id = serializers.IntegerField(allow_null=True)
    mail_log_entry_id = serializers.IntegerField(allow_null=True)
    threaded = serializers.BooleanField(help_text="True when it joined an existing inquiry.")
    created = serializers.BooleanField(help_text="False when this email was already received.")
    detail = serializers.CharField(help_text="Why it went where it went, for the mail log.")


# The whole message as sent; a body of ASCII whitespace only is not mail at all (a 400).
RAW_EMAIL_SCHEMA = {"type": "string", "pattern": "[^ \\t\\n\\r\\x0b\\x0c]",
                    "description": "The raw message (RFC 5322), headers and body."}


RAW_EMAIL_EXAMPLE = (
    "From: Sam Rivera <sam@example.com>\r\nTo: support@northwind.example\r\n"
    "Subject: Where is my order?\r\nMessage-ID: <CAF1234@mail.example.com>\r\n\r\n"
    "Hi, my jacket has not arrived.\r\n"
)


INBOUND_EMAIL_DESCRIPTION = """Point your mail provider's inbound route (or anymail's
inbound webhook forwarder) at this URL with HTTP basic auth: user `shiftline`, password the
queue's inbound email secret. Most providers take both in the URL,
`https://shiftline:<secret>@host/api/v1/inbound/email/<queue id>`, which the queue's channels
page shows whole. Missing or wrong credentials answer 401 with `WWW-Authenticate: Basic`.

Send the raw message as `message/rfc822`, or anymail's normalized fields as JSON. Every mail is
kept (never a 5xx): a reply from the customer of the conversation it quotes (In-Reply-To /
References) joins it; a bounce of a reply we sent is recorded on its inquiry as a delivery
failure; other bounces, automatic replies, list mail and mail without a sender to answer go to
the queue's mail log; anything else opens an email inquiry. A mail that cannot be read is kept
with its original attached. Attachments are listed; files over 10 MB are listed without
content. Only a request that is not mail at all is a 400."""


EMAIL_EXAMPLES = [
    OpenApiExample("Raw MIME", request_only=True, media_type=RAW_EMAIL, value=RAW_EMAIL_EXAMPLE),
    OpenApiExample("anymail normalized", request_only=True, media_type=JSON, value={
        "from_email": "Sam Rivera <sam@example.com>", "subject": "Re: Where is my order?",
        "text": "Still nothing.", "headers": {
            "Message-ID": "<CAF5678@mail.example.com>",
            "In-Reply-To": "<CAF1234@mail.example.com>"},
        "attachments": [{"filename": "receipt.pdf", "content_type": "application/pdf",
                         "content": "JVBERi0xLjQK"}]}),
    OpenApiExample("Threaded", response_only=True, status_codes=["201"], value={
        "outcome": "threaded", "inquiry": INQUIRY_EXAMPLE, "message_id": 77,
        "mail_log_entry_id": None, "threaded": True, "created": True, "detail": ""}),
    OpenApiExample("Kept in the mail log", response_only=True, status_codes=["201"],
                   value={"outcome": "mail_log", "inquiry": None, "message_id": None,
                          "mail_log_entry_id": 12, "threaded": False, "created": True,
                          "detail": "Automatic reply (Auto-Submitted: auto-replied) "
                          "that belongs to no conversation of its sender: kept here, "
                          "not acknowledged."}),
]


EMAIL_REQUEST = {RAW_EMAIL: RAW_EMAIL_SCHEMA, JSON: NormalizedEmailSerializer}


EMAIL_RESPONSES = {201: EmailReceivedSerializer, 200: EmailReceivedSerializer,
                   400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT,
                   413: OpenApiTypes.OBJECT, 415: OpenApiTypes.OBJECT}


class QueueInboundEmailApi(InboundApi):
    authentication_classes = [InboundEmailBasicAuthentication]
    permission_classes = [HasBasicCredentials]

    @extend_schema(
        operation_id="queue_inbound_email_receive",
        summary="Inbound email for a queue",
        description=INBOUND_EMAIL_DESCRIPTION,
        request=EMAIL_REQUEST,
        extensions={BODY_REQUIRED: True},
        responses=EMAIL_RESPONSES,
        examples=[*EMAIL_EXAMPLES,
                  OpenApiExample("Wrong credentials", response_only=True, status_codes=["401"],
                                 value={"detail": "Wrong user name or password for this "
                                        "queue's inbound email.", "code": "unauthenticated"})],
    )
    def post(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_for_inbound(queue_id=queue_id)
        assert isinstance(request.auth, BasicCredentials)
        require_inbound_email_credentials(queue=queue, credentials=request.auth)
        return _email_received(request, queue)


class QueueInboundEmailTokenApi(InboundApi):
    """The first inbound URL, with the secret in its path (so in every access log on the way).
    It keeps working for mail routes set up before basic auth; each use is logged so the brand
    can be told to move."""

    @extend_schema(
        operation_id="queue_inbound_email_receive_with_token",
        summary="Inbound email for a queue, secret in the path (deprecated)",
        description="Deprecated: use `POST /api/v1/inbound/email/{queue_id}` with HTTP basic "
        "auth instead (the queue's channels page shows its URL). This older form puts the "
        "queue's inbound email secret in the path as `token`; it still works, and every use "
        "is logged as deprecated. Same bodies and answers as the basic-auth operation.",
        auth=[],
        deprecated=True,
        request=EMAIL_REQUEST,
        extensions={BODY_REQUIRED: True},
        responses=EMAIL_RESPONSES,
        examples=EMAIL_EXAMPLES,
    )
    def post(self, request: Request, queue_id: int, token: str) -> Response:
        queue = queues_selectors.queue_get_for_inbound(queue_id=queue_id)
        if not inbound_email_token_matches(queue=queue, token=token):
            raise Unauthenticated("Wrong inbound email token for this queue.")
        logger.warning(
            "Deprecated inbound email URL with the secret in its path used for queue %s of "
            "brand %s; move the mail route to /api/v1/inbound/email/%s with HTTP basic auth "
            "(shown on the queue's channels page).", queue.pk, queue.brand_id, queue.pk)
        return _email_received(request, queue)


def _email_received(request: Request, queue: OverflowQueue) -> Response:
    """Reads the mail in the body (raw MIME or anymail's JSON) and receives it on the queue."""
    content_type = require_content_type(request, RAW_EMAIL, JSON)
    body = raw_body(request)
    if content_type == RAW_EMAIL:
        email = parse_raw(body)
    else:
        email = parse_normalized(decode_json(body), original=body)
    outcome = inbound_email.email_receive(queue=queue, email=email, now=timezone.now())
    inquiry = outcome.inquiry
    if inquiry is not None:
        inquiry.refresh_from_db()
    return Response(
        {"outcome": outcome.kind,
         "inquiry": InquiryOutputSerializer(inquiry).data if inquiry is not None else None,
         "message_id": outcome.message.pk if outcome.message is not None else None,
         "mail_log_entry_id": outcome.mail_log_entry.pk
         if outcome.mail_log_entry is not None else None,
         "threaded": outcome.threaded, "created": outcome.created,
         "detail": outcome.detail},
        status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
    )
