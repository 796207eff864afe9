"""Inquiries and customer messages in over REST, with the brand's API key."""


from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.json_fields import (
    ChoiceInputField,
    EmailInputField,
    IntegerInputField,
    PatternField,
    TextField,
)
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.api import InquiryListApi, _messages_payload
from marketplace.inquiries.api_examples import CREATE_EXAMPLE, INQUIRY_EXAMPLE, MESSAGE_EXAMPLE
from marketplace.inquiries.models import InquiryChannel
from marketplace.inquiries.serializers import InquiryOutputSerializer, MessageOutputSerializer
from marketplace.intake import services as intake
from marketplace.intake import services as intake_services
from marketplace.queues import selectors as queues_selectors


class CustomerInputSerializer(serializers.Serializer):
    email = EmailInputField(max_length=254)
    name = TextField(max_length=200, required=False, default="", allow_blank=True)


class InquiryCreateApi(BrandApi):
    @extend_schema_serializer(component_name="InquiryCreateInput")
    class InputSerializer(serializers.Serializer):
        external_id = TextField(max_length=200)
        channel = ChoiceInputField(choices=InquiryChannel.choices)
        subject = TextField(max_length=300)
        body = TextField(max_length=100_000)
        language = PatternField(r"^[a-z]{2}$", default="en", error_messages={
            "invalid": "Use a two-letter ISO 639-1 code such as 'en'."})
        queue = IntegerInputField(required=False, min_value=1)
        customer = CustomerInputSerializer()

    @requires_scope(ApiScope.INQUIRIES_WRITE)
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
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand,
                                              queue_id=data.get("queue"))
        inquiry, created = intake_services.inquiry_create(
            intake=intake_services.InquiryIntake(
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


class InquiryMessagesApi(BrandApi):
    """`/api/v1/inquiries/<id>/messages`: GET the conversation, POST what the customer wrote."""

    class CustomerMessageInputSerializer(serializers.Serializer):
        body = TextField(max_length=100_000)

    @requires_scope(ApiScope.INQUIRIES_READ)
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
        inquiry = inquiries_selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        return Response(_messages_payload(inquiry))

    @requires_scope(ApiScope.INQUIRIES_WRITE)
    @extend_schema(
        operation_id="inquiry_message_create",
        summary="Add what the customer wrote to an inquiry",
        description="A customer reply to an inquiry waiting on the customer puts it back with "
        "its expert (status `assigned`), who is told at once, while they are on shift; "
        "otherwise it goes back to the queue. A message on a resolved inquiry reopens it "
        "within the queue's `reopen_window_hours` (status `queued`); after the window it opens "
        "a new inquiry linked to this one, whose address is in the `Location` header.",
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
        inquiry = inquiries_selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        serializer = self.CustomerMessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message, _ = intake.inquiry_add_customer_message(
            inquiry_id=inquiry.pk, body=serializer.validated_data["body"], now=timezone.now())
        headers: dict[str, str] = {}
        if message.inquiry_id != inquiry.pk:
            inquiry = message.inquiry
            headers["Location"] = reverse("api:inquiry", kwargs={"inquiry_id": inquiry.pk})
        message = inquiries_selectors.message_list_for_inquiry(inquiry=inquiry).get(pk=message.pk)
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_201_CREATED,
                        headers=headers)


class InquiryListCreateApi(InquiryCreateApi, InquiryListApi):
    """`/api/v1/inquiries`: POST creates (InquiryCreateApi), GET lists (InquiryListApi)."""
