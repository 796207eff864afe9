"""Escalations over REST with the brand's API key: send an escalated inquiry back to the
network with a note, or confirm the escalation. The rules live in routing/escalations."""

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.json_fields import TextField
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.models import EscalationReason, Inquiry
from routing.escalations import services as escalations


@extend_schema_serializer(component_name="Escalation")
class EscalationOutputSerializer(serializers.Serializer):
    inquiry = serializers.IntegerField(source="pk")
    status = serializers.CharField(help_text="`queued` once sent back, `escalated` otherwise.")
    reason = serializers.ChoiceField(source="escalation_reason",
                                     choices=EscalationReason.choices)
    note = serializers.CharField(source="escalation_note")
    summary = serializers.CharField(source="escalation_summary")
    escalated_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(source="escalation_confirmed_at", allow_null=True)


def _key_label(api: BrandApi) -> str:
    return f"API key {api.client().api_key.prefix}"


ESCALATION_EXAMPLE = {
    "inquiry": 42, "status": "escalated", "reason": "refund_or_exception", "note": "",
    "summary": "The customer wants a refund of EUR 240 for a jacket returned after 40 days.",
    "escalated_at": "2026-11-24T21:40:00Z", "confirmed_at": None,
}

_ERRORS = {
    404: OpenApiResponse(description="No such inquiry in this brand."),
    409: OpenApiResponse(description="The inquiry is not escalated (or its escalation was "
                         "confirmed and cannot be sent back)."),
}


class EscalationSendBackApi(BrandApi):
    @extend_schema_serializer(component_name="EscalationSendBackInput")
    class InputSerializer(serializers.Serializer):
        note = TextField(max_length=1000, help_text="What the next expert should do now.")

    @requires_scope(ApiScope.INQUIRIES_WRITE)
    @extend_schema(
        operation_id="escalation_send_back",
        summary="Send an escalated inquiry back to the network",
        description="An expert escalated the inquiry to the brand; with a note for the next "
        "expert it is queued and routed again. Only an escalated inquiry can be sent back "
        "(409 otherwise, and after the escalation was confirmed).",
        request=InputSerializer,
        parameters=[OpenApiParameter("inquiry_id", int, OpenApiParameter.PATH)],
        responses={200: EscalationOutputSerializer, **_ERRORS},
        examples=[
            OpenApiExample("Refund approved", request_only=True,
                           value={"note": "Refund approved: tell the customer it is on its way."}),
            OpenApiExample("Sent back", response_only=True, status_codes=["200"],
                           value={**ESCALATION_EXAMPLE, "status": "queued"}),
        ],
    )
    def post(self, request: Request, inquiry_id: int) -> Response:
        inquiries_selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inquiry: Inquiry = escalations.escalation_send_back(
            brand=self.client().brand, inquiry_id=inquiry_id,
            note=serializer.validated_data["note"], now=timezone.now(),
            api_key_label=_key_label(self))
        return Response(EscalationOutputSerializer(inquiry).data)


class EscalationConfirmApi(BrandApi):
    @requires_scope(ApiScope.INQUIRIES_WRITE)
    @extend_schema(
        operation_id="escalation_confirm",
        summary="Confirm an escalation",
        description="The brand agrees the inquiry was for it: it stays with the brand, and "
        "the confirmed-escalation fee of the brand's contract is billed once (none without "
        "one). Confirming again changes nothing; an inquiry that is not escalated answers 409.",
        request=None,
        parameters=[OpenApiParameter("inquiry_id", int, OpenApiParameter.PATH)],
        responses={200: EscalationOutputSerializer, **_ERRORS},
        examples=[OpenApiExample("Confirmed", response_only=True, status_codes=["200"],
                                 value={**ESCALATION_EXAMPLE,
                                        "confirmed_at": "2026-11-25T08:02:00Z"})],
    )
    def post(self, request: Request, inquiry_id: int) -> Response:
        inquiry = escalations.escalation_confirm(
            brand=self.client().brand, inquiry_id=inquiry_id, now=timezone.now(),
            api_key_label=_key_label(self))
        return Response(EscalationOutputSerializer(inquiry).data)
