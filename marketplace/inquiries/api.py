"""Inquiries over REST with the brand's API key: list, read, messages, attachments and the
promise summary. Business rules live in services."""

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.query import QueryFilterSerializer, QueryIntegerField
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.api_examples import INQUIRY_EXAMPLE, MESSAGE_EXAMPLE
from marketplace.inquiries.models import Attachment, Inquiry, InquiryChannel, InquiryStatus
from marketplace.inquiries.serializers import (
    EventOutputSerializer,
    InquiryDetailOutputSerializer,
    InquiryOutputSerializer,
    InquiryPageOutputSerializer,
    MessageOutputSerializer,
)


class InquiryListApi(BrandApi):
    class Pagination(LimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    class FilterSerializer(QueryFilterSerializer):
        status = serializers.ChoiceField(choices=InquiryStatus.choices, required=False)
        channel = serializers.ChoiceField(choices=InquiryChannel.choices, required=False)
        received_after = serializers.DateTimeField(required=False)
        received_before = serializers.DateTimeField(
            required=False, help_text="Before `received_after`, the range is empty.")
        limit = QueryIntegerField(required=False, min_value=1, max_value=200,
                                  help_text="Page size, 1 to 200 (default 50).")
        offset = QueryIntegerField(required=False, min_value=0, max_value=10**12,
                                   help_text="How many to skip.")

    @requires_scope(ApiScope.INQUIRIES_READ)
    @extend_schema(
        operation_id="inquiry_list",
        summary="List the brand's inquiries, newest first",
        description="Filters combine; dates are ISO 8601 with a time zone "
        "(`2026-11-24T00:00:00Z`). An invalid filter value answers 400. Paginated with "
        "`limit` (up to 200) and `offset`; follow `next` and `previous`.",
        parameters=[FilterSerializer],
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
        criteria = {name: value for name, value in filters.validated_data.items()
                    if name not in ("limit", "offset")}
        inquiries = inquiries_selectors.inquiry_list_for_brand(brand=self.client().brand,
                                                               **criteria)
        paginator = self.Pagination()
        page = paginator.paginate_queryset(inquiries, request, view=self)
        return paginator.get_paginated_response(InquiryOutputSerializer(page, many=True).data)


def _messages_payload(inquiry: Inquiry) -> Any:
    return MessageOutputSerializer(inquiries_selectors.message_list_for_inquiry(inquiry=inquiry),
                                   many=True).data


class InquiryDetailApi(BrandApi):
    @requires_scope(ApiScope.INQUIRIES_READ)
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
        inquiry = inquiries_selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        payload = InquiryOutputSerializer(inquiry).data
        payload["messages"] = _messages_payload(inquiry)
        payload["timeline"] = EventOutputSerializer(
            inquiries_selectors.event_list_for_inquiry(inquiry=inquiry), many=True
        ).data
        return Response(payload)


class AttachmentDownloadApi(BrandApi):
    @requires_scope(ApiScope.INQUIRIES_READ)
    @extend_schema(
        operation_id="attachment_download",
        summary="Download an attachment of one of the brand's inquiries",
        description="The file as the customer sent it, with its content type. Files over the "
        "size limit were listed but not kept, and answer 404 like another brand's files.",
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        examples=[OpenApiExample("Not kept", response_only=True, status_codes=["404"],
                                 value={"detail": "Attachment not found (or not kept: it was "
                                        "over the size limit).", "code": "not_found"})],
    )
    def get(self, request: Request, attachment_id: int) -> FileResponse:
        attachment = inquiries_selectors.attachment_get_for_brand(brand=self.client().brand,
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
    class FilterSerializer(QueryFilterSerializer):
        received_after = serializers.DateTimeField(required=False)
        received_before = serializers.DateTimeField(required=False)

    class PromiseSummaryOutputSerializer(serializers.Serializer):
        kept = serializers.IntegerField(help_text="First reply on or before the promise.")
        missed = serializers.IntegerField(help_text="First reply after the promise.")
        open = serializers.IntegerField(help_text="No reply yet.")
        without_time = serializers.IntegerField(
            help_text="Promised no time: nobody on shift and no business hours to name.")

    @requires_scope(ApiScope.INQUIRIES_READ)
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
        return Response(inquiries_selectors.promise_summary_for_brand(brand=self.client().brand,
                                                            **filters.validated_data))
