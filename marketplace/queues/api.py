"""Queue configuration over REST, with the brand's API key. The same services as the console
check every field, so a bad field answers 400 with that field's message and changes nothing.
Who may change a queue is the key's scope here (`queues:manage`; reading
needs `queues:read`), as the brand role is in the console."""


import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.json_fields import IntegerInputField, TextField
from marketplace.queues import selectors as queues_selectors
from marketplace.queues import services as queues_services
from marketplace.queues.api_input import (
    QueueInputSerializer,
    queue_input_check,
    unstated_rules_as_422,
)
from marketplace.queues.fields import (
    CHANNELS,
    QUEUE_SETTINGS,
    QueueSetting,
    SettingKind,
    queue_setting_values,
)
from marketplace.queues.models import OverflowQueue

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class SpanSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday")
    opens = serializers.CharField(help_text="HH:MM, local time")
    closes = serializers.CharField(help_text="HH:MM; at or before `opens` runs past midnight")


class ClosureSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]


class PricesSerializer(serializers.Serializer):
    currency = serializers.CharField()
    email = serializers.CharField(help_text="Per resolved email, a decimal string.")
    chat = serializers.CharField(help_text="Per resolved chat, a decimal string.")
    social = serializers.CharField(help_text="Per resolved social message, a decimal string.")
    rises_with_tier = serializers.BooleanField(
        help_text="The price is multiplied by the slot's premium tier.")
    escalation_fee = serializers.CharField(
        allow_null=True, help_text="Billed when the brand confirms an escalation; null: none.")


class MacroSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    body = serializers.CharField()


def _setting_field(setting: QueueSetting) -> serializers.Field:
    """The DRF field of a declared setting's stored value, as the API shows it."""
    options: dict[str, Any] = {"help_text": setting.help_text}
    match setting.kind:
        case SettingKind.TEXT | SettingKind.LONG_TEXT:
            return serializers.CharField(allow_blank=setting.allows_blank, **options)
        case SettingKind.INTEGER:
            return serializers.IntegerField(allow_null=setting.nullable, **options)
        case SettingKind.BOOLEAN:
            return serializers.BooleanField(**options)
        case SettingKind.CHANNELS:
            return serializers.ListField(child=serializers.ChoiceField(CHANNELS), **options)
        case SettingKind.TEXT_LIST:
            return serializers.ListField(child=serializers.CharField(), **options)
        case SettingKind.SPANS:
            return SpanSerializer(many=True, **options)
        case SettingKind.CLOSURES:
            return ClosureSerializer(many=True, **options)
        case SettingKind.PRICES:
            return PricesSerializer(allow_null=True, read_only=True, **options)


class QueueOutputSerializer(serializers.Serializer):
    """A queue's whole configuration: every declared setting that is stored, as
    `queue_setting_values` reads it, beside the queue's id, backlog report and macros."""

    id = serializers.IntegerField(source="queue.pk")
    backlog_count = serializers.IntegerField(source="queue.backlog_count", allow_null=True)
    backlog_oldest_wait_seconds = serializers.IntegerField(
        source="queue.backlog_oldest_wait_seconds", allow_null=True)
    backlog_reported_at = serializers.DateTimeField(source="queue.backlog_reported_at",
                                                    allow_null=True)
    macros = MacroSerializer(many=True, source="queue.macros.all")

    def get_fields(self) -> dict[str, serializers.Field]:
        reported = super().get_fields()
        settings = {setting.name: _setting_field(setting)
                    for setting in QUEUE_SETTINGS if not setting.write_only}
        return {"id": reported.pop("id"), **settings, **reported}

    def to_representation(self, instance: OverflowQueue) -> dict[str, Any]:
        return super().to_representation(
            {**queue_setting_values(queue=instance), "queue": instance})


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
}


QUEUE_OUTPUT_EXAMPLE = {
    **QUEUE_EXAMPLE, "id": 7, "prices": {
        "currency": "EUR", "email": "4.50", "chat": "4.50", "social": "4.50",
        "rises_with_tier": False, "escalation_fee": None},
    "covers_after_hours": True, "covers_weekends": True,
    "always_on": False, "covers_overflow": True, "overflow_backlog_threshold": 20,
    "overflow_wait_threshold_seconds": None, "backlog_count": 12,
    "backlog_oldest_wait_seconds": 300, "backlog_reported_at": "2026-11-24T10:00:00Z",
    "chat_first_response_seconds": 30, "email_first_response_seconds": 900,
    "social_first_response_seconds": 900, "resolve_after_hours": 48,
    "reopen_window_hours": 168, "webhook_events": ["inquiry.escalated", "inquiry.resolved"],
    "chat_offer_timeout_seconds": 20, "email_offer_timeout_seconds": 120,
    "social_offer_timeout_seconds": 120, "chat_reply_timeout_seconds": 180,
    "required_skills": ["returns"], "guidelines": "## Tone\nFriendly and direct.",
    "macros": [{"id": 3, "name": "Where is my order",
                "body": "Hi {customer_first_name}, your order ships within 2 working days."}],
}


RULES_TEXT = ("A field the schema refuses is a 400 naming it; a taken name is a 409; rules the "
              "schema cannot state are a 422 naming the field: a closure ends on or after it "
              "starts and lasts at most a year, no span is listed twice, the currency is an ISO "
              "4217 code, and the settings must agree with each other. Prices are read-only: "
              "Shiftline sets them in the brand's contract, and sending them is a 400. "
              "Nothing is saved.")


NAME_TAKEN = OpenApiResponse(description="The brand already has a queue with this name.")


QUEUE_RULES = OpenApiResponse(description="A rule the schema cannot state; the field is named.")


def _object_body(request: Request) -> Mapping[str, Any]:
    if not isinstance(request.data, Mapping):
        raise ParseError("Send a JSON object.")
    return request.data


def _queue_payload(queue: OverflowQueue) -> dict[str, Any]:
    queue = queues_selectors.queue_get_configured(brand=queue.brand, queue_id=queue.pk)
    return dict(QueueOutputSerializer(queue).data)


class QueueListCreateApi(BrandApi):
    @requires_scope(ApiScope.QUEUES_READ)
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

    @requires_scope(ApiScope.QUEUES_MANAGE)
    @extend_schema(
        operation_id="queue_create", summary="Create an overflow queue",
        description="Requires name and time_zone. " + RULES_TEXT,
        request=QueueInputSerializer,
        responses={201: QueueOutputSerializer, 409: NAME_TAKEN, 422: QUEUE_RULES},
        examples=[OpenApiExample("A weekday queue", value=QUEUE_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        data = _object_body(request)
        queue_input_check(data, partial=False)
        with unstated_rules_as_422():
            queue = queues_services.queue_create(brand=self.client().brand, data=data,
                                                 actor=self.client().api_key)
        return Response(_queue_payload(queue), status=status.HTTP_201_CREATED)


class QueueDetailApi(BrandApi):
    @requires_scope(ApiScope.QUEUES_READ)
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

    @requires_scope(ApiScope.QUEUES_MANAGE)
    @extend_schema(
        operation_id="queue_update", summary="Change any of a queue's settings",
        description="Send only the fields to change. Business hours and closures, when sent, "
        "replace the old ones. " + RULES_TEXT,
        request=QueueInputSerializer(partial=True),
        responses={200: QueueOutputSerializer, 409: NAME_TAKEN, 422: QUEUE_RULES},
        examples=[OpenApiExample("Cover public holidays", request_only=True,
                                 value={"holiday_country": "IE", "covers_holidays": True})],
    )
    def patch(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_configured(brand=self.client().brand, queue_id=queue_id)
        changes = _object_body(request)
        queue_input_check(changes, partial=True)
        with unstated_rules_as_422():
            queues_services.queue_configure(queue=queue, changes=changes,
                                            actor=self.client().api_key)
        return Response(_queue_payload(queue))


class BacklogReportInputSerializer(serializers.Serializer):
    backlog = IntegerInputField(min_value=0, max_value=1_000_000)
    oldest_wait_seconds = IntegerInputField(min_value=0, max_value=365 * 24 * 3600)


class BacklogReportOutputSerializer(serializers.Serializer):
    backlog_count = serializers.IntegerField()
    backlog_oldest_wait_seconds = serializers.IntegerField()
    backlog_reported_at = serializers.DateTimeField()


class QueueBacklogApi(BrandApi):
    @requires_scope(ApiScope.BACKLOG_WRITE)
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
    @requires_scope(ApiScope.QUEUES_READ)
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
        if raw_week is not None:
            try:
                if not ISO_DATE.fullmatch(raw_week):
                    raise ValueError(raw_week)
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
    name = TextField(max_length=100, help_text="Unique on the queue (409 if taken).")
    body = TextField(
        max_length=10_000, help_text="The reply experts send. Placeholders: "
        "{customer_first_name}, {customer_name}, {brand_name}, {expert_first_name}, "
        "{queue_name}; any other is refused (422).")


MACRO_TAKEN = OpenApiResponse(description="Another macro of the queue has this name.")


MACRO_RULES = OpenApiResponse(description="The body names an unknown placeholder.")


MACRO_EXAMPLE = {"name": "Where is my order",
                 "body": "Hi {customer_first_name}, your order left our warehouse today."}


def _macro_saved(queue: OverflowQueue, data: Any, macro_id: int | None, actor: Any
                 ) -> dict[str, Any]:
    serializer = MacroInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    macro = queues_services.macro_save(queue=queue, name=serializer.validated_data["name"],
                                body=serializer.validated_data["body"], now=timezone.now(),
                                macro_id=macro_id, actor=actor)
    return dict(MacroSerializer(macro).data)


class QueueMacroListApi(BrandApi):
    @requires_scope(ApiScope.QUEUES_READ)
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

    @requires_scope(ApiScope.QUEUES_MANAGE)
    @extend_schema(
        operation_id="queue_macro_create", summary="Add a macro to the queue",
        description="The name is unique on the queue (409 if taken); an unknown placeholder "
        "is a 422 naming it and the ones to use.",
        request=MacroInputSerializer, responses={201: MacroSerializer, 409: MACRO_TAKEN,
                                                 422: MACRO_RULES},
        examples=[OpenApiExample("A saved reply", value=MACRO_EXAMPLE, request_only=True),
                  OpenApiExample("Created", value={"id": 3, **MACRO_EXAMPLE},
                                 response_only=True, status_codes=["201"])],
    )
    def post(self, request: Request, queue_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        return Response(_macro_saved(queue, _object_body(request), None, self.client().api_key),
                        status=status.HTTP_201_CREATED)


class QueueMacroDetailApi(BrandApi):
    @requires_scope(ApiScope.QUEUES_MANAGE)
    @extend_schema(
        operation_id="queue_macro_update", summary="Rewrite a macro",
        description="Replaces the macro's name and body, checked as on creation (409 if the "
        "name is taken, 422 for an unknown placeholder). Another queue's macro is a 404.",
        request=MacroInputSerializer, responses={200: MacroSerializer, 409: MACRO_TAKEN,
                                                 422: MACRO_RULES},
        examples=[OpenApiExample("A clearer reply", request_only=True, value={
            "name": "Where is my order",
            "body": "Hi {customer_first_name}, your order is on its way; {expert_first_name}."}),
            OpenApiExample("Changed", value={"id": 3, **MACRO_EXAMPLE}, response_only=True)],
    )
    def put(self, request: Request, queue_id: int, macro_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        return Response(_macro_saved(queue, _object_body(request), macro_id,
                                     self.client().api_key))

    @requires_scope(ApiScope.QUEUES_MANAGE)
    @extend_schema(
        operation_id="queue_macro_delete", summary="Remove a macro",
        description="Experts stop seeing it at once. Another queue's macro is a 404.",
        responses={204: None},
    )
    def delete(self, request: Request, queue_id: int, macro_id: int) -> Response:
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand, queue_id=queue_id)
        queues_services.macro_delete(queue=queue, macro_id=macro_id,
                                     actor=self.client().api_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
