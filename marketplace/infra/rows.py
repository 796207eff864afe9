"""Model instances from rows a hand-written statement returned, the way the ORM makes them:
each value through its field's `from_db_value` when it has one (JSON, for instance), then
`Model.from_db`, so the instance saves and refreshes like any other; and the steps of
hand-written WITH … INSERT statements, each value what its field itself would send
(`insert_step`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
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


@dataclass(frozen=True)
class InsertStep:
    """`INSERT INTO <model's table> (…) SELECT … [FROM <source>] RETURNING <pk>`, for one step of
    a hand-written WITH statement: its SQL and the fields whose values the inserted object gives,
    in the order of the SQL's placeholders."""

    sql: str
    valued: "tuple[Field[Any, Any], ...]"

    def params(self, obj: Model) -> list[Any]:
        """What each valued field itself would send (`pre_save`, then `get_db_prep_save`)."""
        connection = connections[DEFAULT_DB_ALIAS]
        return [field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                for field in self.valued]


@cache
def insert_step(model: type[Model], *, source: str = "",
                expressions: tuple[tuple[str, str], ...] = ()) -> InsertStep:
    """The step inserting one `model` row. `expressions` gives columns an SQL expression over the
    source (say the id another step returned); an expression holding one `%s` still takes the
    object's value there. Every other column but the primary key takes the object's value. Made
    once per process."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    given = dict(expressions)
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.pk]
    selected = [given.get(field.column, "%s") for field in fields]
    pk = model._meta.pk
    assert pk is not None
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (model identifiers; values bound)
           f"({', '.join(quote(field.column) for field in fields)}) "
           f"SELECT {', '.join(selected)}{f' FROM {source}' if source else ''} "
           f"RETURNING {quote(pk.column)}")
    return InsertStep(sql, tuple(field for field, expression in zip(fields, selected, strict=True)
                                 if "%s" in expression))


def column_name(model: type[Model], name: str) -> str:
    """The unquoted column of the model's field `name` (for `insert_step`'s expressions)."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column
