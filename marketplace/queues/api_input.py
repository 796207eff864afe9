"""What the queue API accepts, declared once for the schema and the server alike.

The services' parsers also read the console's form text, so they are lenient ("mon", "eur",
"returns, billing"). The API first holds a request body to the JSON the schema declares,
field by field from the same declaration (marketplace/queues/fields.py): a value of another
type or shape, or an unknown field, is a 400. What passes and the services still refuse (a
closure ending before it starts, overflow coverage without a threshold) breaks a
rule the schema cannot state: a 422 (a taken name stays a 409)."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from zoneinfo import available_timezones

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from marketplace.infra.errors import FieldErrors, FieldRuleViolations
from marketplace.infra.json_fields import (
    BooleanInputField,
    ChoiceInputField,
    IntegerInputField,
    PatternField,
    TextField,
)
from marketplace.infra.schema import CLOSED_OBJECT
from marketplace.queues.fields import (
    CHANNELS,
    QUEUE_SETTINGS,
    QueueSetting,
    SettingKind,
    parse_queue_changes,
)
from marketplace.queues.parsers import (
    MAX_CLOSURES,
    MAX_SPANS,
    WEBHOOK_EVENTS,
    supported_holiday_countries,
)

CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
LANGUAGE = r"^[a-z]{2}$"
SKILL = r"^[a-z0-9][a-z0-9-]{0,39}$"
CURRENCY = r"^[A-Z]{3}$"


class SpanInputSerializer(serializers.Serializer):
    weekday = IntegerInputField(min_value=0, max_value=6, help_text="0 = Monday")
    opens = PatternField(CLOCK, help_text="HH:MM, local time")
    closes = PatternField(CLOCK, help_text="HH:MM; at or before `opens` runs past midnight")


class ClosureInputSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="Not before `starts_on`, at most a year after.")
    label = TextField(max_length=100)  # type: ignore[assignment]


def _input_field(setting: QueueSetting) -> serializers.Field:
    options: dict[str, Any] = {"help_text": setting.help_text,
                               "required": setting.required_on_create}
    match setting.name, setting.kind:
        case "time_zone", _:
            return ChoiceInputField(choices=sorted(available_timezones()), **options)
        case "holiday_country", _:
            countries = sorted(code for code in supported_holiday_countries()
                               if len(code) == 2)
            return ChoiceInputField(choices=["", *countries], **options)
        case "currency", _:
            return PatternField(CURRENCY, **options)
        case "languages", _:
            return serializers.ListField(child=PatternField(LANGUAGE), **options)
        case "required_skills", _:
            return serializers.ListField(child=PatternField(SKILL), **options)
        case _, SettingKind.TEXT if setting.choices:
            return ChoiceInputField(choices=[value for value, _label in setting.choices],
                                    **options)
        case "webhook_events", _:
            return serializers.ListField(child=ChoiceInputField(WEBHOOK_EVENTS), **options)
        case _, SettingKind.TEXT | SettingKind.LONG_TEXT:
            return TextField(allow_blank=setting.allows_blank, max_length=setting.max_length,
                             **options)
        case _, SettingKind.INTEGER:
            limits: dict[str, Any] = {"min_value": setting.minimum,
                                      "max_value": setting.maximum}
            options |= {name: limit for name, limit in limits.items() if limit is not None}
            return IntegerInputField(allow_null=setting.nullable, **options)
        case _, SettingKind.BOOLEAN:
            return BooleanInputField(**options)
        case _, SettingKind.CHANNELS:
            return serializers.ListField(child=ChoiceInputField(CHANNELS), min_length=1,
                                         **options)
        case _, SettingKind.SPANS:
            return SpanInputSerializer(many=True, **options | {"max_length": MAX_SPANS})
        case _, SettingKind.CLOSURES:
            return ClosureInputSerializer(many=True, **options | {"max_length": MAX_CLOSURES})
    raise ValueError(f"no input field for {setting.name}")


@extend_schema_serializer(extensions={CLOSED_OBJECT: True})
class QueueInputSerializer(serializers.Serializer):
    """One field per declared setting (marketplace/queues/fields.py), no others (PATCH: any
    subset)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {setting.name: _input_field(setting) for setting in QUEUE_SETTINGS
                if not setting.read_only}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = {str(name)[:50]: ["Unknown field."] for name in data
                       if name not in self.fields}
            if unknown:
                raise serializers.ValidationError(unknown)
        return super().to_internal_value(data)


def queue_input_check(data: Mapping[str, Any], *, partial: bool) -> None:
    """400 unless `data` is the JSON the schema declares, each refused field with the
    services' own message when they refuse it too."""
    gate = QueueInputSerializer(data=data, partial=partial)
    if gate.is_valid():
        return
    _, parsed = parse_queue_changes(data)
    raise serializers.ValidationError({field: parsed.get(field, messages)
                                       for field, messages in gate.errors.items()})


@contextmanager
def unstated_rules_as_422() -> Iterator[None]:
    """Field errors the services find in input the schema allows are rule violations."""
    try:
        yield
    except FieldErrors as error:
        if type(error) is not FieldErrors:
            raise
        raise FieldRuleViolations(error.errors) from error
