"""The parsers of queue settings: each reads one field's input (text from the console form or
JSON from the REST API) and raises `FieldError` with a message for people. The declaration in
fields.py names each setting's parser."""


import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import holidays

CHANNELS = ("email", "chat", "social")


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


LANGUAGE = re.compile(r"^[a-z]{2}$")


SKILL = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


CURRENCY = re.compile(r"^[A-Z]{3}$")


CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


SPAN_LINE = re.compile(
    r"^(?P<day>[A-Za-z]{3})\w*\s+(?P<opens>\d\d:\d\d)\s*[-–]\s*(?P<closes>\d\d:\d\d)$")


CLOSURE_LINE = re.compile(
    r"^(?P<starts>\d{4}-\d\d-\d\d)(\s*\.\.\s*(?P<ends>\d{4}-\d\d-\d\d))?\s+(?P<label>.+)$")


GUIDELINES_MAX_LENGTH = 20_000


TIME_ZONE_MAX_LENGTH = 64


MAX_SPANS = 50


MAX_CLOSURES = 100


class FieldError(ValueError):
    """One field's input is refused; the message is shown next to that field."""


@dataclass(frozen=True)
class SpanInput:
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class ClosureInput:
    starts_on: date
    ends_on: date
    label: str


@cache
def supported_holiday_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def text_parser(max_length: int, *, required: bool = False) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise FieldError("Send text.")
        value = value.strip()
        if required and not value:
            raise FieldError("This field is required.")
        if len(value) > max_length:
            raise FieldError(f"Keep it to {max_length:,} characters.")
        if "\x00" in value:
            raise FieldError("Text cannot contain NUL characters.")
        return value
    return parse


def integer_parser(
    minimum: int, maximum: int, *, nullable: bool = False
) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if nullable and (value is None or value == ""):
            return None
        if isinstance(value, str) and re.fullmatch(r"\d{1,9}", value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"Enter a whole number from {minimum:,} to {maximum:,}.")
        if not minimum <= value <= maximum:
            raise FieldError(f"Enter a whole number from {minimum:,} to {maximum:,}.")
        return value
    return parse


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "on", "1", "yes"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "off", "0", "no", ""):
        return False
    raise FieldError("Send true or false.")


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in re.split(r"[,\s]+", value) if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value]
    raise FieldError("Send a list of strings.")


def parse_channels(value: Any) -> list[str]:
    channels = _string_list(value)
    unknown = [channel for channel in channels if channel not in CHANNELS]
    if unknown:
        raise FieldError(f"Unknown channel {unknown[0][:20]!r}; choose from {', '.join(CHANNELS)}.")
    if not channels:
        raise FieldError("Serve at least one channel.")
    return [channel for channel in CHANNELS if channel in channels]


WEBHOOK_EVENTS = ("inquiry.created", "inquiry.assigned", "inquiry.replied", "inquiry.escalated",
                  "inquiry.resolved", "inquiry.reopened", "survey.requested", "survey.answered")
"""The inquiry events a queue may subscribe its outbound webhook to, in lifecycle order."""


def parse_webhook_events(value: Any) -> list[str]:
    events = [event.lower() for event in _string_list(value)]
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown:
        raise FieldError(f"Unknown event {unknown[0][:40]!r}; choose from "
                         f"{', '.join(WEBHOOK_EVENTS)}.")
    return [event for event in WEBHOOK_EVENTS if event in events]


SURVEY_DELIVERIES = ("email", "webhook", "off")


def parse_survey_delivery(value: Any) -> str:
    delivery = text_parser(16, required=True)(value).lower()
    if delivery not in SURVEY_DELIVERIES:
        raise FieldError(f"Choose one of {', '.join(SURVEY_DELIVERIES)}.")
    return delivery


def parse_time_zone(value: Any) -> str:
    zone = text_parser(TIME_ZONE_MAX_LENGTH, required=True)(value)
    if zone not in available_timezones():
        raise FieldError(f"{zone!r} is not an IANA time zone such as Europe/Dublin.")
    return zone


def parse_holiday_country(value: Any) -> str:
    country = text_parser(2)(value).upper()
    if country and country not in supported_holiday_countries():
        raise FieldError(f"{country!r} is not a country with known public holidays; use an "
                         "ISO 3166 code such as IE, or leave it empty.")
    return country


def parse_languages(value: Any) -> list[str]:
    languages = [language.lower() for language in _string_list(value)]
    bad = [language for language in languages if not LANGUAGE.match(language)]
    if bad:
        raise FieldError(f"{bad[0][:20]!r} is not a two-letter ISO 639-1 code such as 'en'.")
    return list(dict.fromkeys(languages))


def parse_skills(value: Any) -> list[str]:
    skills = [skill.lower() for skill in _string_list(value)]
    bad = [skill for skill in skills if not SKILL.match(skill)]
    if bad:
        raise FieldError(f"{bad[0][:50]!r} is not a skill name; use up to 40 lowercase letters, "
                         "digits and hyphens, such as 'returns'.")
    return list(dict.fromkeys(skills))


def parse_currency(value: Any) -> str:
    currency = text_parser(10, required=True)(value).upper()
    if not CURRENCY.match(currency):
        raise FieldError("Use a three-letter ISO 4217 currency code such as EUR.")
    return currency


def _clock(value: Any) -> time:
    if not isinstance(value, str) or not CLOCK.match(value.strip()):
        raise FieldError("Times look like 09:00 or 17:30 (24-hour clock).")
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip()[:3].lower() in WEEKDAYS:
        return WEEKDAYS.index(value.strip()[:3].lower())
    raise FieldError("Weekdays are 0 (Monday) to 6 (Sunday) or names such as Mon.")


def parse_business_hours(value: Any) -> list[SpanInput]:
    """A list of {weekday, opens, closes}, or text with one span a line ("Mon 09:00-17:00").
    A span that closes at or before it opens runs past midnight; 00:00-00:00 is the whole
    day."""
    if isinstance(value, str):
        entries: list[Any] = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            match = SPAN_LINE.match(line.strip())
            if match is None:
                raise FieldError(f"Line {number}: write spans like 'Mon 09:00-17:00'.")
            entries.append(match.groupdict() | {"weekday": match["day"]})
    elif isinstance(value, list):
        entries = value
    else:
        raise FieldError("Send a list of spans such as {\"weekday\": 0, \"opens\": \"09:00\", "
                         "\"closes\": \"17:00\"}.")
    if len(entries) > MAX_SPANS:
        raise FieldError(f"At most {MAX_SPANS} spans.")
    spans = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise FieldError(f"Span {number}: send weekday, opens and closes.")
        try:
            spans.append(SpanInput(_weekday(entry.get("weekday")), _clock(entry.get("opens")),
                                   _clock(entry.get("closes"))))
        except FieldError as error:
            raise FieldError(f"Span {number}: {error}") from error
    if len(set(spans)) != len(spans):
        raise FieldError("The same span is listed twice.")
    return spans


def parse_closures(value: Any) -> list[ClosureInput]:
    """A list of {starts_on, ends_on, label}, or text lines "2026-12-24..2026-12-26 Christmas"."""
    if isinstance(value, str):
        entries: list[Any] = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            match = CLOSURE_LINE.match(line.strip())
            if match is None:
                raise FieldError(f"Line {number}: write closures like "
                                 "'2026-12-24..2026-12-26 Christmas break'.")
            entries.append({"starts_on": match["starts"],
                            "ends_on": match["ends"] or match["starts"], "label": match["label"]})
    elif isinstance(value, list):
        entries = value
    else:
        raise FieldError("Send a list of closures such as {\"starts_on\": \"2026-12-24\", "
                         "\"ends_on\": \"2026-12-26\", \"label\": \"Christmas\"}.")
    if len(entries) > MAX_CLOSURES:
        raise FieldError(f"At most {MAX_CLOSURES} closures.")
    closures = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise FieldError(f"Closure {number}: send starts_on, ends_on and label.")
        try:
            starts_on = date.fromisoformat(str(entry.get("starts_on")))
            ends_on = date.fromisoformat(str(entry.get("ends_on", entry.get("starts_on"))))
        except ValueError as error:
            raise FieldError(f"Closure {number}: dates look like 2026-12-24.") from error
        if ends_on < starts_on:
            raise FieldError(f"Closure {number}: it ends before it starts.")
        if (ends_on - starts_on).days > 366:
            raise FieldError(f"Closure {number}: a closure lasts at most a year.")
        try:
            label = text_parser(100, required=True)(entry.get("label", ""))
        except FieldError as error:
            raise FieldError(f"Closure {number}: label: {error}") from error
        closures.append(ClosureInput(starts_on, ends_on, label))
    return closures
