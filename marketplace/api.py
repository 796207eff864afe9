"""The brand-facing REST API, one view per operation. Business rules live in services."""

from typing import Any

from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace import delivery, intake, selectors, services
from marketplace.authentication import (
    BrandApiClient,
    BrandApiKeyAuthentication,
    HasBrandApiKey,
)
from marketplace.models import Attachment, Inquiry, InquiryChannel, InquiryStatus
from marketplace.parsers import StrictJSONParser


class BrandApi(APIView):
    authentication_classes = [BrandApiKeyAuthentication]
    permission_classes = [HasBrandApiKey]
    parser_classes = [StrictJSONParser]

    def client(self) -> BrandApiClient:
        client = self.request.user
        assert isinstance(client, BrandApiClient)
        return client


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    stored = serializers.BooleanField(help_text="False when the file was over the size limit.")


class DeliveryAttemptOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    route = serializers.CharField(help_text="email or webhook")
    attempted_at = serializers.DateTimeField()
    succeeded = serializers.BooleanField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivery_status = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    delivery_attempts = serializers.IntegerField()
    attachments = AttachmentOutputSerializer(many=True)
    delivery_log = DeliveryAttemptOutputSerializer(many=True)


class EventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class PromiseOutputSerializer(serializers.Serializer):
    reply_by = serializers.DateTimeField(source="promised_reply_by", allow_null=True,
                                         help_text="Null only with nobody on shift and no "
                                         "business hours to name.")
    text = serializers.CharField(source="promise_text")
    kept = serializers.BooleanField(source="promise_kept", allow_null=True,
                                    help_text="Null until the first reply.")
    basis = serializers.JSONField(source="promise_basis")


_DATETIME = serializers.DateTimeField()


class InquiryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    queue = serializers.IntegerField(source="queue_id")
    channel = serializers.CharField()
    subject = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    coverage_reason = serializers.CharField()
    customer_email = serializers.EmailField(source="customer.email")
    received_at = serializers.DateTimeField()
    first_response_due_at = serializers.DateTimeField()
    first_replied_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    received_via = serializers.CharField(source="source", help_text="api, webhook or email")
    promise = PromiseOutputSerializer(source="*")

    def to_representation(self, instance: Inquiry) -> dict[str, Any]:
        """The fields above, read by hand: every inquiry response (the intake's above all) goes
        through here, and DRF copies each declared field per serializer. The declared fields
        stay the schema; tests/marketplace/test_api_representation.py holds the two equal."""
        moment = _DATETIME.to_representation
        return {
            "id": instance.pk, "external_id": instance.external_id,
            "queue": instance.queue_id, "channel": instance.channel,
            "subject": instance.subject, "language": instance.language,
            "status": instance.status, "coverage_reason": instance.coverage_reason,
            "customer_email": instance.customer.email,
            "received_at": moment(instance.received_at),
            "first_response_due_at": moment(instance.first_response_due_at),
            "first_replied_at": (None if instance.first_replied_at is None
                                 else moment(instance.first_replied_at)),
            "resolved_at": None if instance.resolved_at is None else moment(instance.resolved_at),
            "received_via": instance.source,
            "promise": {
                "reply_by": (None if instance.promised_reply_by is None
                             else moment(instance.promised_reply_by)),
                "text": instance.promise_text, "kept": instance.promise_kept,
                "basis": instance.promise_basis,
            },
        }


class InquiryDetailOutputSerializer(InquiryOutputSerializer):
    messages = MessageOutputSerializer(many=True)
    timeline = EventOutputSerializer(many=True)

    to_representation = serializers.Serializer.to_representation  # type: ignore[assignment]


class InquiryPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InquiryOutputSerializer(many=True)


CREATE_EXAMPLE = {
    "external_id": "zendesk-48213",
    "channel": "email",
    "subject": "Where is my order?",
    "body": "Hi, I ordered a jacket last week and it has not arrived.",
    "language": "en",
    "customer": {"email": "sam@example.com", "name": "Sam Rivera"},
}


INQUIRY_EXAMPLE = {
    "id": 42, "external_id": "zendesk-48213", "queue": 3, "channel": "email",
    "subject": "Where is my order?", "language": "en", "status": "queued",
    "coverage_reason": "after_hours", "customer_email": "sam@example.com",
    "received_at": "2026-11-24T21:14:03Z", "first_response_due_at": "2026-11-24T21:29:03Z",
    "first_replied_at": None, "resolved_at": None, "received_via": "api",
    "promise": {
        "reply_by": "2026-11-24T21:26:03Z",
        "text": "Thanks for writing to Northwind. We expect to reply within 12 minutes "
        "(by 21:26 Europe/Dublin time).",
        "kept": None,
        "basis": {"channel": "email", "target_seconds": 900, "brand_open": False,
                  "covered_by_network": True,
                  "waiting_ahead": 2, "experts_on_shift": 3, "free_capacity": 7,
                  "handling_seconds": 540, "handling_samples": 50, "estimate": "network",
                  "estimate_seconds": 560},
    },
}
MESSAGE_EXAMPLE = {
    "id": 311, "direction": "outbound", "body": "Your parcel ships today.",
    "created_at": "2026-11-24T21:22:40Z", "delivery_status": "failed", "delivered_at": None,
    "delivery_attempts": 5, "attachments": [],
    "delivery_log": [{"number": 1, "route": "webhook", "attempted_at": "2026-11-24T21:22:41Z",
                      "succeeded": False, "status_code": 503,
                      "error": "The helpdesk answered HTTP 503."}],
}


class CustomerInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class InquiryCreateApi(BrandApi):
    @extend_schema_serializer(component_name="InquiryCreateInput")
    class InputSerializer(serializers.Serializer):
        external_id = serializers.CharField(max_length=200)
        channel = serializers.ChoiceField(choices=InquiryChannel.choices)
        subject = serializers.CharField(max_length=300)
        body = serializers.CharField(max_length=100_000)
        language = serializers.RegexField(r"^[a-z]{2}$", default="en", error_messages={
            "invalid": "Use a two-letter ISO 639-1 code such as 'en'."})
        queue = serializers.IntegerField(required=False, min_value=1)
        customer = CustomerInputSerializer()

    @extend_schema(
        operation_id="inquiry_create",
        summary="Hand an inquiry to Shiftline",
        description="Idempotent on `external_id`: sending the same id again returns the "
        "inquiry created the first time (200) instead of a second one (201).",
        request=InputSerializer,
        responses={201: InquiryOutputSerializer, 200: InquiryOutputSerializer,
                   404: OpenApiResponse(description="No such queue for this brand.")},
        examples=[
            OpenApiExample("An email inquiry", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("Created, with its promise",
                           value={**INQUIRY_EXAMPLE, "status": "received", "coverage_reason": ""},
                           response_only=True, status_codes=["201"]),
            OpenApiExample("Sent before: the first inquiry", value=INQUIRY_EXAMPLE,
                           response_only=True, status_codes=["200"]),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        queue = selectors.queue_get_for_brand(brand=self.client().brand,
                                              queue_id=data.get("queue"))
        inquiry, created = services.inquiry_create(
            intake=services.InquiryIntake(
                queue=queue, external_id=data["external_id"], channel=data["channel"],
                subject=data["subject"], body=data["body"], language=data["language"],
                customer_email=data["customer"]["email"],
                customer_name=data["customer"].get("name", ""),
            ),
            now=timezone.now(),
        )
        return Response(
            InquiryOutputSerializer(inquiry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class InquiryListApi(BrandApi):
    class Pagination(LimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=InquiryStatus.choices, required=False)
        channel = serializers.ChoiceField(choices=InquiryChannel.choices, required=False)
        received_after = serializers.DateTimeField(required=False)
        received_before = serializers.DateTimeField(required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            after, before = attrs.get("received_after"), attrs.get("received_before")
            if after and before and after > before:
                raise serializers.ValidationError(
                    {"received_before": ["Must not be earlier than received_after."]})
            return attrs

    @extend_schema(
        operation_id="inquiry_list",
        summary="List the brand's inquiries, newest first",
        description="Filters combine; dates are ISO 8601 with a time zone "
        "(`2026-11-24T00:00:00Z`). An invalid filter value answers 400. Paginated with "
        "`limit` (up to 200) and `offset`; follow `next` and `previous`.",
        parameters=[
            FilterSerializer,
            OpenApiParameter("limit", int, description="Page size, 1 to 200."),
            OpenApiParameter("offset", int, description="How many to skip."),
        ],
        responses={200: InquiryPageOutputSerializer},
        examples=[OpenApiExample(
            "A page of inquiries", response_only=True, status_codes=["200"],
            value={"count": 51, "next": "https://shiftline.example/api/v1/inquiries?limit=50"
                   "&offset=50&status=queued", "previous": None, "results": [INQUIRY_EXAMPLE]},
        )],
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        inquiries = selectors.inquiry_list_for_brand(
            brand=self.client().brand, **filters.validated_data
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(inquiries, request, view=self)
        return paginator.get_paginated_response(InquiryOutputSerializer(page, many=True).data)


def _messages_payload(inquiry: Inquiry) -> Any:
    return MessageOutputSerializer(selectors.message_list_for_inquiry(inquiry=inquiry),
                                   many=True).data


class InquiryDetailApi(BrandApi):
    @extend_schema(
        operation_id="inquiry_retrieve",
        summary="An inquiry with its messages and timeline",
        description="The timeline lists every change: received, coverage decision, offers, "
        "replies, deliveries and resolution, oldest first. Another brand's inquiry answers 404.",
        responses={200: InquiryDetailOutputSerializer},
        examples=[OpenApiExample("An inquiry with its timeline", response_only=True,
                                 status_codes=["200"], value={
            **INQUIRY_EXAMPLE, "messages": [MESSAGE_EXAMPLE],
            "timeline": [{"kind": "received", "description": "Received by email from "
                          "sam@example.com.", "created_at": "2026-11-24T21:14:03Z"}],
        })],
    )
    def get(self, request: Request, inquiry_id: int) -> Response:
        inquiry = selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        payload = InquiryOutputSerializer(inquiry).data
        payload["messages"] = _messages_payload(inquiry)
        payload["timeline"] = EventOutputSerializer(
            selectors.event_list_for_inquiry(inquiry=inquiry), many=True
        ).data
        return Response(payload)


class InquiryMessagesApi(BrandApi):
    """`/api/v1/inquiries/<id>/messages`: GET the conversation, POST what the customer wrote."""

    class CustomerMessageInputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=100_000)

    @extend_schema(
        operation_id="inquiry_message_list",
        summary="The conversation of one inquiry, oldest first",
        description="Inbound messages from the customer and outbound replies with their "
        "delivery state and log. Another brand's inquiry answers 404.",
        responses={200: MessageOutputSerializer(many=True)},
        examples=[OpenApiExample("A conversation", value=[MESSAGE_EXAMPLE],
                                 response_only=True, status_codes=["200"])],
    )
    def get(self, request: Request, inquiry_id: int) -> Response:
        inquiry = selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        return Response(_messages_payload(inquiry))

    @extend_schema(
        operation_id="inquiry_message_create",
        summary="Add what the customer wrote to an inquiry",
        description="A customer reply to an answered inquiry (or one waiting on the customer) "
        "puts it back with its expert (status `assigned`), who is told at once.",
        request=CustomerMessageInputSerializer,
        responses={201: MessageOutputSerializer},
        examples=[
            OpenApiExample("A customer reply", request_only=True,
                           value={"body": "Thanks! Can you send the tracking number?"}),
            OpenApiExample("The stored message", response_only=True, status_codes=["201"],
                           value={**MESSAGE_EXAMPLE, "direction": "inbound",
                                  "delivery_status": "n/a", "delivery_attempts": 0,
                                  "delivery_log": []}),
        ],
    )
    def post(self, request: Request, inquiry_id: int) -> Response:
        inquiry = selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        serializer = self.CustomerMessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message, _ = intake.inquiry_add_customer_message(
            inquiry_id=inquiry.pk, body=serializer.validated_data["body"], now=timezone.now())
        message = selectors.message_list_for_inquiry(inquiry=inquiry).get(pk=message.pk)
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


class MessageRetryDeliveryApi(BrandApi):
    @extend_schema(
        operation_id="message_retry_delivery",
        summary="Deliver a failed reply again",
        description="Only a reply whose delivery failed (status `failed`) can be retried; a "
        "new round of attempts starts and is logged. Anything else answers 409.",
        request=None,
        responses={202: MessageOutputSerializer},
        examples=[OpenApiExample("Retry scheduled", response_only=True, status_codes=["202"],
                                 value={**MESSAGE_EXAMPLE, "delivery_status": "pending"})],
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = delivery.message_retry_delivery(brand=self.client().brand,
                                                  message_id=message_id, now=timezone.now())
        message = selectors.message_list_for_inquiry(inquiry=message.inquiry).get(pk=message.pk)
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_202_ACCEPTED)


class AttachmentDownloadApi(BrandApi):
    @extend_schema(
        operation_id="attachment_download",
        summary="Download an attachment of one of the brand's inquiries",
        description="The file as the customer sent it, with its content type. Files over the "
        "size limit were listed but not kept, and answer 404 like another brand's files.",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        examples=[OpenApiExample("Not kept", response_only=True, status_codes=["404"],
                                 value={"detail": "Attachment not found (or not kept: it was "
                                        "over the size limit).", "code": "not_found"})],
    )
    def get(self, request: Request, attachment_id: int) -> FileResponse:
        attachment = selectors.attachment_get_for_brand(brand=self.client().brand,
                                                        attachment_id=attachment_id)
        return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> FileResponse:
    """The stored file as a download; `nosniff` and attachment disposition keep a browser
    from rendering what a customer sent."""
    response = FileResponse(attachment.file.open("rb"), as_attachment=True,
                            filename=attachment.filename,
                            content_type=attachment.content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PromiseSummaryApi(BrandApi):
    class FilterSerializer(serializers.Serializer):
        received_after = serializers.DateTimeField(required=False)
        received_before = serializers.DateTimeField(required=False)

    class PromiseSummaryOutputSerializer(serializers.Serializer):
        kept = serializers.IntegerField(help_text="First reply on or before the promise.")
        missed = serializers.IntegerField(help_text="First reply after the promise.")
        open = serializers.IntegerField(help_text="No reply yet.")
        without_time = serializers.IntegerField(
            help_text="Promised no time: nobody on shift and no business hours to name.")

    @extend_schema(
        operation_id="promise_summary",
        summary="How often the reply-time promise was kept",
        description="Counts of the brand's inquiries by how their promise turned out, over "
        "inquiries received in the optional date range (ISO 8601 with a time zone).",
        parameters=[FilterSerializer],
        responses=PromiseSummaryOutputSerializer,
        examples=[OpenApiExample("Last week", response_only=True,
                                 value={"kept": 412, "missed": 23, "open": 5,
                                        "without_time": 0})],
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return Response(selectors.promise_summary_for_brand(brand=self.client().brand,
                                                            **filters.validated_data))


class InquiryListCreateApi(InquiryCreateApi, InquiryListApi):
    """`/api/v1/inquiries`: POST creates (InquiryCreateApi), GET lists (InquiryListApi)."""
