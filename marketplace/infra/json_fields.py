"""DRF fields for JSON input that take exactly the JSON type the schema declares.

DRF's own fields coerce: a CharField stores `-7396` as "-7396", a BooleanField takes `0`, `"yes"`
and `"on"`, an IntegerField `"12"` and `12.0`, a DecimalField the number `1.25`. The OpenAPI
schema (drf-spectacular) declares a string, a boolean, an integer and a decimal string, so the
API accepted input its own schema forbids. These fields refuse any other JSON type with a 400
naming the field. Text that must not be blank also declares so (a pattern), and the
length limit applies to the text as sent, before surrounding spaces are trimmed."""

import re
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

# The characters Python's str.strip() removes (DRF trims text with it), spelled out: `\s`
# means fewer of them in the ECMA regexes a client validates with (U+001C to U+001F, U+0085).
SPACES = "".join(f"\\u{code:04x}" for code in range(0x3001) if chr(code).isspace())
NOT_BLANK_PATTERN = f"[^{SPACES}]"
NOT_BLANK = RegexValidator(NOT_BLANK_PATTERN, message="This field may not be blank.")


def as_ecma(pattern: str) -> str:
    """`pattern` as clients' (ECMA 262) regexes read it: there `$` matches only at the very
    end, where Python's also matches before a final newline."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") \
        else pattern


def _refuse_unless(value: Any, types: tuple[type, ...], message: str) -> None:
    if isinstance(value, bool) and bool not in types:
        raise serializers.ValidationError(message, code="invalid")
    if not isinstance(value, types):
        raise serializers.ValidationError(message, code="invalid")


class TextInputMixin:
    """Only a JSON string; not blank (declared as a pattern) unless `allow_blank`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not getattr(self, "allow_blank", False):
            self.validators.append(NOT_BLANK)  # type: ignore[attr-defined]

    def to_internal_value(self, data: Any) -> Any:
        _refuse_unless(data, (str,), "Send text (a JSON string).")
        return super().to_internal_value(data)  # type: ignore[misc]

    def run_validation(self, data: Any = serializers.empty) -> Any:
        limit = getattr(self, "max_length", None)
        if isinstance(data, str) and limit is not None and len(data) > limit:
            raise serializers.ValidationError(
                f"Ensure this field has no more than {limit} characters.", code="max_length")
        return super().run_validation(data)  # type: ignore[misc]


class TextField(TextInputMixin, serializers.CharField):
    pass


class EmailInputField(TextInputMixin, serializers.EmailField):
    pass


class PatternField(TextInputMixin, serializers.RegexField):
    """The text as sent must match the declared pattern (searched, as JSON Schema does, with
    ECMA's `$`); the value is then stripped."""

    def __init__(self, regex: str, **kwargs: Any) -> None:
        super().__init__(regex=regex, trim_whitespace=False, **kwargs)  # type: ignore[call-arg]
        self.validators.remove(NOT_BLANK)  # the regex is the declared pattern
        self.ecma_regex = re.compile(as_ecma(regex))

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str) and not self.ecma_regex.search(data):
            self.fail("invalid")
        value = super().run_validation(data)
        return value.strip() if isinstance(value, str) else value


class ChoiceInputField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        _refuse_unless(data, (str,), "Send one of the choices as a JSON string.")
        return super().to_internal_value(data)


class IntegerInputField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> Any:
        _refuse_unless(data, (int,), "Send a whole number (a JSON integer).")
        return super().to_internal_value(data)


class BooleanInputField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> Any:
        _refuse_unless(data, (bool,), "Send true or false (a JSON boolean).")
        return bool(data)


class DecimalStringField(serializers.Field):
    """A decimal string that matches `pattern` (searched as JSON Schema does), as a Decimal.
    Declare the same pattern in the schema (extend_schema_field on a subclass)."""

    pattern = ""
    message = "Send a decimal string."

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not re.search(as_ecma(self.pattern), data):
            raise serializers.ValidationError(self.message, code="invalid")
        return Decimal(data.strip())

    def to_representation(self, value: Decimal) -> str:
        return str(value)
