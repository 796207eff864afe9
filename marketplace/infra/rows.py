"""Model instances from rows a hand-written statement returned, the way the ORM makes them:
each value through its field's `from_db_value` when it has one (JSON, for instance), then
`Model.from_db`, so the instance saves and refreshes like any other."""

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model


def column(model: type[Model], name: str) -> str:
    """The quoted column of the model's field `name`."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(field.column)


def table(model: type[Model]) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(model._meta.db_table)


def concrete_columns(model: type[Model], alias: str) -> str:
    """`alias.column, …` for every concrete field, in `_meta.concrete_fields` order."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def instance_from_row[M: Model](model: type[M], values: Sequence[Any]) -> M:
    """`values` in `concrete_columns` order."""
    connection = connections[DEFAULT_DB_ALIAS]
    fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
    converted = [
        field.from_db_value(value, None, connection)  # type: ignore[attr-defined]
        if value is not None and hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields], converted)
