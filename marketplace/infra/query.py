"""Query-string filters that refuse what the schema forbids.

DRF reads a query string like an HTML form: `?status=` counts as "not given", and an
IntegerField takes `12.0`. The schema declares an enum, a date-time or an integer, none of which
is empty, so these answer 400 instead of ignoring the value."""

import re
from typing import Any

from rest_framework import serializers

DIGITS = re.compile(r"[0-9]{1,18}")


class QueryFilterSerializer(serializers.Serializer):
    """Filters from `request.query_params`: a declared filter sent empty is a 400."""

    def to_internal_value(self, data: Any) -> Any:
        names: list[str] = list(self.fields)
        blank = {name: ["Give a value or leave the parameter out."]
                 for name in names if name in data and data.get(name) == ""}
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """Digits only: `12.0`, `+12` and ` 12` are not the integer the schema declares."""

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not DIGITS.fullmatch(data):
            raise serializers.ValidationError("Send a whole number such as 50.", code="invalid")
        return int(super().to_internal_value(data))
