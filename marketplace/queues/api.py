"""Queue configuration over REST, with the brand's API key. The same services as the console
check every field, so a bad field answers 400 with that field's message and changes nothing."""


from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from billing.money import Money
from marketplace.access.api import BrandApi
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.queues.models import OverflowQueue


class SpanSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday")
    opens = serializers.CharField(help_text="HH:MM, local time")
    closes = serializers.CharField(help_text="HH:MM; at or before `opens` runs past midnight")


class ClosureSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]


class MacroSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    body = serializers.CharField()


class QueueInputSerializer(serializers.Serializer):
    """Documentation of the accepted fields; the service checks them (PATCH: any subset)."""

    name = serializers.CharField(max_length=100)
    channels = serializers.ListField(child=serializers.ChoiceField(["email", "chat", "social"]))
    time_zone = serializers.CharField(help_text="IANA zone such as Europe/Dublin")
    business_hours = SpanSerializer(many=True)
    open_24_7 = serializers.BooleanField(help_text="Replace business hours with every day, "
                                         "all day")
    holiday_country = serializers.CharField(allow_blank=True, help_text="ISO 3166 code")
    covers_after_hours = serializers.BooleanField()
    covers_weekends = serializers.BooleanField()
    covers_holidays = serializers.BooleanField()
    always_on = serializers.BooleanField()
    covers_overflow = serializers.BooleanField()
    overflow_backlog_threshold = serializers.IntegerField(allow_null=True, min_value=1)
    overflow_wait_threshold_seconds = serializers.IntegerField(allow_null=True, min_value=1)
    closures = ClosureSerializer(many=True)
    chat_first_response_seconds = serializers.IntegerField(min_value=5)
    email_first_response_seconds = serializers.IntegerField(min_value=5)
    social_first_response_seconds = serializers.IntegerField(min_value=5)
    resolve_after_hours = serializers.IntegerField(min_value=1, max_value=720)
    chat_offer_timeout_seconds = serializers.IntegerField(min_value=5, max_value=3600)
    email_offer_timeout_seconds = serializers.IntegerField(min_value=5, max_value=3600)
    social_offer_timeout_seconds = serializers.IntegerField(min_value=5, max_value=3600)
    chat_reply_timeout_seconds = serializers.IntegerField(min_value=30, max_value=86400)
    languages = serializers.ListField(child=serializers.CharField())
    required_skills = serializers.ListField(child=serializers.CharField())
    currency = serializers.CharField(min_length=3, max_length=3)
    price_per_ticket = serializers.CharField(help_text='Decimal string such as "4.50"')
    expert_rate = serializers.CharField(help_text='Decimal string such as "3.00"')
    guidelines = serializers.CharField(allow_blank=True, help_text="Markdown")


class QueueOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField()
    business_hours = serializers.SerializerMethodField()
    holiday_country = serializers.CharField()
    covers_after_hours = serializers.BooleanField()
    covers_weekends = serializers.BooleanField()
    covers_holidays = serializers.BooleanField()
    always_on = serializers.BooleanField()
    covers_overflow = serializers.BooleanField()
    overflow_backlog_threshold = serializers.IntegerField(allow_null=True)
    overflow_wait_threshold_seconds = serializers.IntegerField(allow_null=True)
    backlog_count = serializers.IntegerField(allow_null=True)
    backlog_oldest_wait_seconds = serializers.IntegerField(allow_null=True)
    backlog_reported_at = serializers.DateTimeField(allow_null=True)
    closures = ClosureSerializer(many=True)
    chat_first_response_seconds = serializers.IntegerField()
    email_first_response_seconds = serializers.IntegerField()
    social_first_response_seconds = serializers.IntegerField()
    resolve_after_hours = serializers.IntegerField()
    chat_offer_timeout_seconds = serializers.IntegerField()
    email_offer_timeout_seconds = serializers.IntegerField()
    social_offer_timeout_seconds = serializers.IntegerField()
    chat_reply_timeout_seconds = serializers.IntegerField()
    languages = serializers.ListField(child=serializers.CharField())
    required_skills = serializers.ListField(child=serializers.CharField())
    currency = serializers.CharField()
    price_per_ticket = serializers.SerializerMethodField()
    expert_rate = serializers.SerializerMethodField()
    guidelines = serializers.CharField()
    macros = MacroSerializer(many=True, source="macros.all")

    def get_business_hours(self, queue: OverflowQueue) -> list[dict[str, Any]]:
        return [{"weekday": span.weekday, "opens": f"{span.opens_at:%H:%M}",
                 "closes": f"{span.closes_at:%H:%M}"} for span in queue.spans.all()]

    def get_price_per_ticket(self, queue: OverflowQueue) -> str:
        return str(Money(minor=queue.price_per_ticket_minor, currency=queue.currency).amount)

    def get_expert_rate(self, queue: OverflowQueue) -> str:
        return str(Money(minor=queue.expert_rate_minor, currency=queue.currency).amount)


QUEUE_EXAMPLE = {
    "name": "Night shift",
    "channels": ["email", "chat"],
    "time_zone": "Europe/Dublin",
    "business_hours": [{"weekday": day, "opens": "09:00", "closes": "17:30"} for day in range(5)],
    "holiday_country": "IE",
    "covers_holidays": True,
    "closures": [{"starts_on": "2026-12-24", "ends_on": "2026-12-26", "label": "Christmas"}],
    "languages": ["en"],
    "currency": "EUR",
    "price_per_ticket": "4.50",
    "expert_rate": "3.00",
}


QUEUE_OUTPUT_EXAMPLE = {
    **QUEUE_EXAMPLE, "id": 7, "covers_after_hours": True, "covers_weekends": True,
    "always_on": False, "covers_overflow": True, "overflow_backlog_threshold": 20,
    "overflow_wait_threshold_seconds": None, "backlog_count": 12,
    "backlog_oldest_wait_seconds": 300, "backlog_reported_at": "2026-11-24T10:00:00Z",
    "chat_first_response_seconds": 30, "email_first_response_seconds": 900,
    "social_first_response_seconds": 900, "resolve_after_hours": 48,
    "chat_offer_timeout_seconds": 20, "email_offer_timeout_seconds": 120,
    "social_offer_timeout_seconds": 120, "chat_reply_timeout_seconds": 180,
    "required_skills": ["returns"], "guidelines": "## Tone\nFriendly and direct.",
    "macros": [{"id": 3, "name": "Where is my order",
                "body": "Hi {customer_first_name}, your order ships within 2 working days."}],
}


def _object_body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        raise ParseError("Send a JSON object.")
    return request.data


def _queue_payload(queue: OverflowQueue) -> dict[str, Any]:
    queue = queues_selectors.queue_get_configured(brand=queue.brand, queue_id=queue.pk)
    return dict(QueueOutputSerializer(queue).data)


class QueueListCreateApi(BrandApi):
    @extend_schema(
        operation_id="queue_list", summary="The brand's overflow queues",
        description="Every queue of the brand the API key belongs to, oldest first, with its "
        "whole configuration (money as decimal strings in the queue's currency).",
        responses=QueueOutputSerializer(many=True),
        examples=[OpenApiExample("One queue", value=[QUEUE_OUTPUT_EXAMPLE], response_only=True)],
    )
    def get(self, request: Request) -> Response:
        queues = queues_selectors.queue_list_for_brand(brand=self.client().brand)
        return Response(QueueOutputSerializer(queues, many=True).data)

    @extend_schema(
        operation_id="queue_create", summary="Create an overflow queue",
        description="Requires name, time_zone, price_per_ticket and expert_rate.",
        request=QueueInputSerializer, responses={201: QueueOutputSerializer},
        examples=[OpenApiExample("A weekday queue", value=QUEUE_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        queue = queues_services.queue_create(brand=self.client().brand, data=_object_body(request))
        return Response(_queue_payload(queue), status=status.HTTP_201_CREATED)


class QueueDetailApi(BrandApi):
    @extend_schema(
        operation_id="queue_retrieve", summary="One queue's configuration",
        description="Hours, coverage modes, holidays and closures, targets and timeouts, "
        "languages, skills, prices, guidelines and macros. Another brand's queue is a 404.",
        responses=QueueOutputSerializer,
        examples=[OpenApiExample("A weekday queue", value=QUEUE_OUTPUT_EXAMPLE,
                                 response_only=True)],
    )
    def get(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_configured(brand=self.client().brand, queue_id=queue_id)
        return Response(QueueOutputSerializer(queue).data)

    @extend_schema(
        operation_id="queue_update", summary="Change any of a queue's settings",
        description="Send only the fields to change. Business hours and closures, when sent, "
        "replace the old ones.",
        request=QueueInputSerializer(partial=True), responses=QueueOutputSerializer,
        examples=[OpenApiExample("Cover public holidays", request_only=True,
                                 value={"holiday_country": "IE", "covers_holidays": True})],
    )
    def patch(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_configured(brand=self.client().brand, queue_id=queue_id)
        queues_services.queue_configure(queue=queue, changes=_object_body(request))
        return Response(_queue_payload(queue))


class BacklogReportInputSerializer(serializers.Serializer):
    backlog = serializers.IntegerField(min_value=0, max_value=1_000_000)
    oldest_wait_seconds = serializers.IntegerField(min_value=0, max_value=365 * 24 * 3600)


class BacklogReportOutputSerializer(serializers.Serializer):
    backlog_count = serializers.IntegerField()
    backlog_oldest_wait_seconds = serializers.IntegerField()
    backlog_reported_at = serializers.DateTimeField()


class QueueBacklogApi(BrandApi):
    @extend_schema(
        operation_id="queue_backlog_report",
        summary="Report the brand's own backlog (for overflow coverage)",
        description="Report every few minutes. A report older than 10 minutes counts as no "
        "overflow.",
        request=BacklogReportInputSerializer, responses={200: BacklogReportOutputSerializer},
        examples=[OpenApiExample("Busy", request_only=True,
                                 value={"backlog": 42, "oldest_wait_seconds": 900})],
    )
    def post(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_configured(brand=self.client().brand, queue_id=queue_id)
        serializer = BacklogReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        queue = queues_services.queue_report_backlog(
            queue=queue, backlog=serializer.validated_data["backlog"],
            oldest_wait_seconds=serializer.validated_data["oldest_wait_seconds"],
            now=timezone.now(),
        )
        return Response(BacklogReportOutputSerializer(queue).data)


class CoverageHourSerializer(serializers.Serializer):
    hour = serializers.IntegerField()
    covered = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    skipped = serializers.BooleanField(help_text="The clocks jump over this whole hour.")


class CoverageDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    hours = CoverageHourSerializer(many=True)


class CoveragePreviewSerializer(serializers.Serializer):
    time_zone = serializers.CharField()
    week_start = serializers.DateField()
    days = CoverageDaySerializer(many=True)


class QueueCoverageApi(BrandApi):
    @extend_schema(
        operation_id="queue_coverage_preview",
        summary="The coverage of one week, hour by hour in the queue's time zone",
        description="Each local hour says whether the network covers the queue and why "
        "(after_hours, weekend, holiday, closure, always_on; business_hours when the brand "
        "keeps it). Overflow depends on live backlog reports and is not shown.",
        parameters=[OpenApiParameter("week", OpenApiTypes.DATE, description="Any day of the "
                                     "week to show (default: this week)")],
        responses=CoveragePreviewSerializer,
    )
    def get(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_configured(brand=self.client().brand, queue_id=queue_id)
        raw_week = request.query_params.get("week")
        if raw_week:
            try:
                chosen = date.fromisoformat(raw_week)
            except ValueError:
                return Response({"week": ["Give a date such as 2026-11-23."]},
                                status=status.HTTP_400_BAD_REQUEST)
        else:
            chosen = timezone.now().astimezone(ZoneInfo(queue.time_zone)).date()
        week_start = chosen - timedelta(days=chosen.weekday())
        days = [
            {"date": cells[0].day, "hours": [
                {"hour": cell.hour, "skipped": cell.skipped,
                 "covered": cell.decision.covered if cell.decision else None,
                 "reason": cell.decision.reason.value if cell.decision else None,
                 "label": cell.decision.label if cell.decision else cell.note}
                for cell in cells]}
            for cells in queues_selectors.queue_coverage_preview(queue=queue, week_start=week_start)
        ]
        return Response(CoveragePreviewSerializer(
            {"time_zone": queue.time_zone, "week_start": week_start, "days": days}).data)


class MacroInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="Unique on the queue.")
    body = serializers.CharField(
        max_length=10_000, help_text="The reply experts send. Placeholders: "
        "{customer_first_name}, {customer_name}, {brand_name}, {expert_first_name}, "
        "{queue_name}; any other is refused.")


MACRO_EXAMPLE = {"name": "Where is my order",
                 "body": "Hi {customer_first_name}, your order left our warehouse today."}


def _macro_saved(queue: OverflowQueue, data: Any, macro_id: int | None) -> dict[str, Any]:
    serializer = MacroInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    macro = queues_services.macro_save(queue=queue, name=serializer.validated_data["name"],
                                body=serializer.validated_data["body"], now=timezone.now(),
                                macro_id=macro_id)
    return dict(MacroSerializer(macro).data)


class QueueMacroListApi(BrandApi):
    @extend_schema(
        operation_id="queue_macro_list", summary="The queue's macros (saved replies)",
        description="Every macro experts see on the queue's inquiries, by name.",
        responses=MacroSerializer(many=True),
        examples=[OpenApiExample("One macro", value=[{"id": 3, **MACRO_EXAMPLE}],
                                 response_only=True)],
    )
    def get(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        return Response(MacroSerializer(queues_selectors.macro_list_for_queue(queue=queue),
                                        many=True).data)

    @extend_schema(
        operation_id="queue_macro_create", summary="Add a macro to the queue",
        description="The name is unique on the queue (400 if taken); an unknown placeholder "
        "is a 400 naming it and the ones to use.",
        request=MacroInputSerializer, responses={201: MacroSerializer},
        examples=[OpenApiExample("A saved reply", value=MACRO_EXAMPLE, request_only=True),
                  OpenApiExample("Created", value={"id": 3, **MACRO_EXAMPLE},
                                 response_only=True, status_codes=["201"])],
    )
    def post(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        return Response(_macro_saved(queue, _object_body(request), None),
                        status=status.HTTP_201_CREATED)


class QueueMacroDetailApi(BrandApi):
    @extend_schema(
        operation_id="queue_macro_update", summary="Rewrite a macro",
        description="Replaces the macro's name and body, checked as on creation. Another "
        "queue's macro is a 404.",
        request=MacroInputSerializer, responses={200: MacroSerializer},
        examples=[OpenApiExample("A clearer reply", request_only=True, value={
            "name": "Where is my order",
            "body": "Hi {customer_first_name}, your order is on its way; {expert_first_name}."}),
            OpenApiExample("Changed", value={"id": 3, **MACRO_EXAMPLE}, response_only=True)],
    )
    def put(self, request: Request, queue_id: int, macro_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        return Response(_macro_saved(queue, _object_body(request), macro_id))

    @extend_schema(
        operation_id="queue_macro_delete", summary="Remove a macro",
        description="Experts stop seeing it at once. Another queue's macro is a 404.",
        responses={204: None},
    )
    def delete(self, request: Request, queue_id: int, macro_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        queues_services.macro_delete(queue=queue, macro_id=macro_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
