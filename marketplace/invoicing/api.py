"""Usage, invoices and disputes over REST with the brand's API key. Amounts are decimal strings
in the currency's minor places ("4.50"), as everywhere in the API."""

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import renderers, serializers, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from billing.disputes.models import DisputeReason
from billing.invoices import selectors
from billing.invoices import services as invoices_services
from billing.invoices.models import Invoice
from billing.money import Money
from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.errors import NotFound
from marketplace.infra.json_fields import ChoiceInputField, PatternField, TextField
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.invoicing import services


class PdfRenderer(renderers.BaseRenderer):
    """Only names `application/pdf` for content negotiation; the view sends the bytes."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else b""


class CsvRenderer(PdfRenderer):
    media_type = "text/csv"
    format = "csv"


def _amount(minor: int, currency: str) -> str:
    return str(Money(minor=minor, currency=currency).amount)


def invoice_csv_response(invoice: Invoice) -> StreamingHttpResponse:
    response = StreamingHttpResponse(selectors.ticket_detail_csv_lines(invoice=invoice),
                                     content_type="text/csv")
    name = invoices_services.invoice_filename(invoice=invoice, extension="csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def invoice_pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(invoices_services.invoice_pdf(invoice=invoice),
                            content_type="application/pdf")
    name = invoices_services.invoice_filename(invoice=invoice, extension="pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class UsageLineSerializer(serializers.Serializer):
    queue = serializers.CharField(source="queue_name")
    channel = serializers.CharField()
    tickets = serializers.IntegerField(source="quantity")
    unit_price = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()

    def get_unit_price(self, line: selectors.UsageLine) -> str:
        return str(line.unit.amount)

    def get_amount(self, line: selectors.UsageLine) -> str:
        return str(line.amount.amount)


@extend_schema_serializer(component_name="UsageCurrency")
class UsageCurrencySerializer(serializers.Serializer):
    currency = serializers.CharField()
    tickets = serializers.IntegerField()
    amount = serializers.CharField()
    lines = UsageLineSerializer(many=True)


@extend_schema_serializer(component_name="Usage")
class UsageOutputSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    currencies = UsageCurrencySerializer(many=True)


class UsageApi(BrandApi):
    @requires_scope(ApiScope.BILLING_READ)
    @extend_schema(
        operation_id="usage_retrieve",
        summary="Tickets billed so far this month, by queue and channel",
        description="The calendar month in the platform's billing zone, to now; one entry per "
        "currency. Net of VAT; disputes accepted later are credited on the invoice.",
        responses={200: UsageOutputSerializer},
        examples=[OpenApiExample("Usage", response_only=True, value={
            "period_start": "2026-11-01", "period_end": "2026-11-30",
            "currencies": [{"currency": "EUR", "tickets": 3, "amount": "12.00", "lines": [
                {"queue": "Support", "channel": "email", "tickets": 2, "unit_price": "4.50",
                 "amount": "9.00"}]}]})],
    )
    def get(self, request: Request) -> Response:
        period = selectors.month_of(timezone.now())
        usage = selectors.usage_lines(brand_id=self.client().brand.pk, period=period)
        totals = selectors.usage_totals(usage)
        return Response({
            "period_start": period.first, "period_end": period.last,
            "currencies": [
                {"currency": currency, "tickets": totals[currency][0],
                 "amount": str(totals[currency][1].amount),
                 "lines": UsageLineSerializer(lines, many=True).data}
                for currency, lines in usage.items()
            ],
        })


@extend_schema_serializer(component_name="Invoice")
class InvoiceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="display_number")
    kind = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    vat_treatment = serializers.CharField()
    vat_rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    net = serializers.SerializerMethodField()
    vat = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    def get_net(self, invoice: Invoice) -> str:
        return _amount(invoice.net_minor, invoice.currency)

    def get_vat(self, invoice: Invoice) -> str:
        return _amount(invoice.vat_minor, invoice.currency)

    def get_total(self, invoice: Invoice) -> str:
        return _amount(invoice.total_minor, invoice.currency)


INVOICE_EXAMPLE = {
    "id": 7, "number": "INV-000042", "kind": "invoice", "status": "issued", "currency": "EUR",
    "period_start": "2026-11-01", "period_end": "2026-11-30", "issue_date": "2026-12-01",
    "due_date": "2026-12-15", "vat_treatment": "reverse_charge", "vat_rate_percent": "0.00",
    "net": "1200.00", "vat": "0.00", "total": "1200.00",
}


class InvoicePageOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InvoiceOutputSerializer(many=True)


class InvoiceListApi(BrandApi):
    class Pagination(LimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    @requires_scope(ApiScope.BILLING_READ)
    @extend_schema(
        operation_id="invoice_list",
        summary="The brand's invoices and credit notes, newest first",
        description="Issued, paid and void documents; drafts are not shown. Paginated with "
        "`limit` (up to 200, default 50) and `offset`; follow `next` and `previous`.",
        parameters=[
            OpenApiParameter("limit", int, description="Page size, 1 to 200 (default 50)."),
            OpenApiParameter("offset", int, description="How many to skip."),
        ],
        responses={200: InvoicePageOutputSerializer},
        examples=[OpenApiExample("A page of invoices", response_only=True, value={
            "count": 51, "next": "https://shiftline.example/api/v1/invoices?limit=50&offset=50",
            "previous": None, "results": [INVOICE_EXAMPLE]})],
    )
    def get(self, request: Request) -> Response:
        invoices = selectors.invoice_list_for_brand(brand_id=self.client().brand.pk)
        paginator = self.Pagination()
        page = paginator.paginate_queryset(invoices, request, view=self)
        return paginator.get_paginated_response(InvoiceOutputSerializer(page, many=True).data)


class InvoiceDetailApi(BrandApi):
    renderer_classes = [renderers.JSONRenderer, PdfRenderer, CsvRenderer]

    @extend_schema_serializer(component_name="InvoiceLine")
    class LineSerializer(serializers.Serializer):
        kind = serializers.CharField()
        description = serializers.CharField()
        quantity = serializers.IntegerField()
        unit_price = serializers.CharField()
        amount = serializers.CharField()

    @requires_scope(ApiScope.BILLING_READ)
    @extend_schema(
        operation_id="invoice_retrieve",
        summary="One invoice: JSON, or its PDF (Accept: application/pdf) or ticket CSV "
        "(Accept: text/csv)",
        description="Another brand's invoice, or a draft, answers 404.",
        parameters=[OpenApiParameter("invoice_id", int, OpenApiParameter.PATH)],
        responses={200: OpenApiResponse(
            response=InvoiceOutputSerializer,
            description="JSON with `lines`; `application/pdf` the document; `text/csv` one row "
            "per ticket, streamed."),
            404: OpenApiResponse(description="No such invoice for this brand.")},
    )
    def get(self, request: Request, invoice_id: int) -> Any:
        invoice = selectors.invoice_get_for_brand(brand_id=self.client().brand.pk,
                                                  invoice_id=invoice_id)
        if invoice is None:
            raise NotFound("No such invoice for this brand.")
        if request.accepted_renderer.format == "pdf":
            return invoice_pdf_response(invoice)
        if request.accepted_renderer.format == "csv":
            return invoice_csv_response(invoice)
        payload = dict(InvoiceOutputSerializer(invoice).data)
        payload["lines"] = [
            {"kind": line.kind, "description": line.description, "quantity": line.quantity,
             "unit_price": _amount(line.unit_minor, invoice.currency),
             "amount": _amount(line.amount_minor, invoice.currency)}
            for line in invoice.lines.all()
        ]
        return Response(payload)

    def handle_exception(self, exc: Exception) -> Response:
        """Errors answer in JSON whatever was asked for."""
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)


class InquiryDisputeApi(BrandApi):
    @extend_schema_serializer(component_name="DisputeInput")
    class InputSerializer(serializers.Serializer):
        reason = ChoiceInputField(choices=[choice for choice in DisputeReason.choices
                                           if choice[0] != DisputeReason.OTHER])
        note = TextField(max_length=2000, required=False, default="", allow_blank=True)

    @extend_schema_serializer(component_name="DisputeOtherInput")
    class OtherInputSerializer(serializers.Serializer):
        reason = ChoiceInputField(choices=[(DisputeReason.OTHER, DisputeReason.OTHER.label)])
        note = PatternField(r"\S", max_length=2000,
                            help_text="Required with the reason `other`: say why.")

    @extend_schema_serializer(component_name="Dispute")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        inquiry = serializers.IntegerField(source="inquiry_id")
        reason = serializers.CharField()
        note = serializers.CharField()
        status = serializers.CharField()
        opened_at = serializers.DateTimeField()

    @requires_scope(ApiScope.DISPUTES_WRITE)
    @extend_schema(
        operation_id="inquiry_dispute_create",
        summary="Dispute a billed ticket",
        description="Within the dispute window (14 days after the ticket was billed, 422 "
        "after), once per ticket (409 again). Ops decide; accepted disputes are credited. "
        "A ticket that was not billed to this brand answers 404.",
        request=PolymorphicProxySerializer(
            component_name="DisputeRequest", serializers=[InputSerializer, OtherInputSerializer],
            resource_type_field_name=None),
        parameters=[OpenApiParameter("inquiry_id", int, OpenApiParameter.PATH)],
        responses={201: OutputSerializer,
                   404: OpenApiResponse(description="No billed ticket with this id."),
                   409: OpenApiResponse(description="Already disputed."),
                   422: OpenApiResponse(description="The dispute window has closed.")},
        examples=[OpenApiExample("A wrong answer", request_only=True,
                                 value={"reason": "wrong_answer",
                                        "note": "The refund policy was misquoted."})],
    )
    def post(self, request: Request, inquiry_id: int) -> Response:
        inquiries_selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                  inquiry_id=inquiry_id)
        other = isinstance(request.data, dict) and request.data.get("reason") == DisputeReason.OTHER
        serializer = (self.OtherInputSerializer if other else self.InputSerializer)(
            data=request.data)
        serializer.is_valid(raise_exception=True)
        client = self.client()
        dispute = services.brand_dispute_open(
            brand=client.brand, actor=None, actor_label=f"API key {client.api_key.prefix}",
            inquiry_id=inquiry_id, reason=serializer.validated_data["reason"],
            note=serializer.validated_data["note"], now=timezone.now())
        return Response(self.OutputSerializer(dispute).data, status=status.HTTP_201_CREATED)

