"""The brand-facing REST API, one view per operation. Business rules live in services."""

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace import selectors, services
from marketplace.authentication import (
    BrandApiClient,
    BrandApiKeyAuthentication,
    HasBrandApiKey,
)
from marketplace.models import InquiryChannel, InquiryStatus


class BrandApi(APIView):
    authentication_classes = [BrandApiKeyAuthentication]
    permission_classes = [HasBrandApiKey]
    parser_classes = [JSONParser]

    def client(self) -> BrandApiClient:
        client = self.request.user
        assert isinstance(client, BrandApiClient)
        return client


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivery_status = serializers.CharField()
    delivered_at = serializers.DateTimeField(allow_null=True)


class EventOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


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


class InquiryDetailOutputSerializer(InquiryOutputSerializer):
    messages = MessageOutputSerializer(many=True)
    timeline = EventOutputSerializer(many=True)


class InquiryPageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InquiryOutputSerializer(many=True)


INQUIRY_EXAMPLE = {
    "id": 1042, "external_id": "zendesk-48213", "queue": 3, "channel": "email",
    "subject": "Where is my order?", "language": "en", "status": "queued",
    "coverage_reason": "weekend", "customer_email": "sam@example.com",
    "received_at": "2026-11-22T21:04:11Z", "first_response_due_at": "2026-11-22T21:19:11Z",
    "first_replied_at": None, "resolved_at": None,
}
MESSAGE_EXAMPLES = [
    {"id": 5120, "direction": "inbound", "body": "Hi, my jacket has not arrived yet.",
     "created_at": "2026-11-22T21:04:11Z", "delivery_status": "n/a", "delivered_at": None},
    {"id": 5131, "direction": "outbound", "body": "Hi Sam, it ships tomorrow morning.",
     "created_at": "2026-11-22T21:09:40Z", "delivery_status": "delivered",
     "delivered_at": "2026-11-22T21:09:42Z"},
]
TIMELINE_EXAMPLE = [
    {"kind": "received", "description": "Received by email from sam@example.com.",
     "created_at": "2026-11-22T21:04:11Z"},
    {"kind": "coverage", "description": "Covered by the network: weekend.",
     "created_at": "2026-11-22T21:04:11Z"},
]


CREATE_EXAMPLE = {
    "external_id": "zendesk-48213",
    "channel": "email",
    "subject": "Where is my order?",
    "body": "Hi, I ordered a jacket last week and it has not arrived.",
    "language": "en",
    "customer": {"email": "sam@example.com", "name": "Sam Rivera"},
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
            OpenApiExample("Created", value={**INQUIRY_EXAMPLE, "status": "received",
                                             "coverage_reason": ""},
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

    @extend_schema(
        operation_id="inquiry_list",
        summary="List the brand's inquiries, newest first",
        description="Paginated with `limit` (default 50, at most 200) and `offset`; "
        "`status` keeps the inquiries in one state.",
        parameters=[
            OpenApiParameter("status", str, enum=InquiryStatus.values,
                             description="Only inquiries in this state."),
            OpenApiParameter("limit", int, description="Page size, 1 to 200."),
            OpenApiParameter("offset", int, description="How many to skip."),
        ],
        responses={200: InquiryPageOutputSerializer},
        examples=[OpenApiExample(
            "One page", response_only=True, status_codes=["200"],
            value={"count": 1, "next": None, "previous": None, "results": [INQUIRY_EXAMPLE]},
        )],
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status")
        if status_filter and status_filter not in InquiryStatus.values:
            return Response(
                {"status": [f"Choose one of: {', '.join(InquiryStatus.values)}."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        inquiries = selectors.inquiry_list_for_brand(
            brand=self.client().brand, status=status_filter
        )
        paginator = self.Pagination()
        page = paginator.paginate_queryset(inquiries, request, view=self)
        return paginator.get_paginated_response(InquiryOutputSerializer(page, many=True).data)


class InquiryDetailApi(BrandApi):
    @extend_schema(
        operation_id="inquiry_retrieve",
        summary="An inquiry with its messages and timeline",
        description="The inquiry, its whole conversation (oldest first) and every change "
        "with when and why. Another brand's inquiry answers 404.",
        responses={200: InquiryDetailOutputSerializer},
        examples=[OpenApiExample(
            "An answered inquiry", response_only=True, status_codes=["200"],
            value={**INQUIRY_EXAMPLE, "status": "answered",
                   "first_replied_at": "2026-11-22T21:09:40Z",
                   "messages": MESSAGE_EXAMPLES, "timeline": TIMELINE_EXAMPLE},
        )],
    )
    def get(self, request: Request, inquiry_id: int) -> Response:
        inquiry = selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        payload = InquiryOutputSerializer(inquiry).data
        payload["messages"] = MessageOutputSerializer(
            selectors.message_list_for_inquiry(inquiry=inquiry), many=True
        ).data
        payload["timeline"] = EventOutputSerializer(
            selectors.event_list_for_inquiry(inquiry=inquiry), many=True
        ).data
        return Response(payload)


class InquiryMessageListApi(BrandApi):
    @extend_schema(
        operation_id="inquiry_message_list",
        summary="The conversation of one inquiry, oldest first",
        description="Inbound messages from the customer and outbound replies with their "
        "delivery state. Another brand's inquiry answers 404.",
        responses={200: MessageOutputSerializer(many=True)},
        examples=[OpenApiExample("A question and its reply", value=MESSAGE_EXAMPLES,
                                 response_only=True, status_codes=["200"])],
    )
    def get(self, request: Request, inquiry_id: int) -> Response:
        inquiry = selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        return Response(
            MessageOutputSerializer(
                selectors.message_list_for_inquiry(inquiry=inquiry), many=True
            ).data
        )


class InquiryListCreateApi(InquiryCreateApi, InquiryListApi):
    """`/api/v1/inquiries`: POST creates (InquiryCreateApi), GET lists (InquiryListApi)."""
