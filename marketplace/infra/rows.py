"""Model rows read and written with hand-written SQL, for the few hot paths (the intake of
inquiries above all) where the ORM's query compilation costs more than the database does.

The column lists come from the models' own field definitions, so a field added to a model is
read and written here too, with Django's own conversions (`from_db_value`, `pre_save`,
`get_db_prep_save`); only the WHERE clauses and the joins are written by hand. Everything else
in Shiftline uses the ORM."""


from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model


@cache
def _concrete_fields(model: type[Model]) -> "tuple[Field[Any, Any], ...]":
    return tuple(model._meta.concrete_fields)


def columns(model: type[Model], alias: str) -> str:
    """`alias."col", …` for every concrete field of the model, in field order."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in _concrete_fields(model))


def width(model: type[Model]) -> int:
    return len(_concrete_fields(model))


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _converters(model: type[Model]) -> tuple[tuple[Any, ...], ...]:
    return tuple(
        tuple(connection.ops.get_db_converters(field.cached_col)
              + field.cached_col.get_db_converters(connection))
        for field in _concrete_fields(model)
    )


def instance[M: Model](model: type[M], row: Sequence[Any], start: int = 0) -> M:
    """The model instance whose columns (as `columns()` lists them) begin at `row[start]`."""
    fields = _concrete_fields(model)
    values = list(row[start:start + len(fields)])
    for position, (field, converters) in enumerate(zip(fields, _converters(model), strict=True)):
        for converter in converters:
            values[position] = converter(values[position], field.cached_col, connection)
    return model.from_db(connection.alias, [field.attname for field in fields], values)


def _insertable(obj: Model) -> tuple[list["Field[Any, Any]"], list[Any]]:
    """The fields an INSERT of `obj` writes (all but a database-generated primary key) and
    their values as Django would send them (`pre_save` fills auto_now_add and the like)."""
    model = type(obj)
    fields = [field for field in _concrete_fields(model) if field is not model._meta.pk
              or not getattr(field, "db_returning", False)]
    return fields, [field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                    for field in fields]


ONE_ROW = "(VALUES (1)) AS one_row"


"""A source of exactly one row, for `insert_from` of plain values."""


def insert(obj: Model, *, unless_conflict_on: Sequence[str] = ()) -> bool:
    """INSERTs `obj` (its auto primary key left to the database) and sets its pk. With
    `unless_conflict_on` (column names of a unique constraint) a row that would break that
    constraint is not inserted and False comes back, without aborting the transaction."""
    sql, params = insert_from(obj, source=ONE_ROW, columns_from_source={},
                              unless_conflict_on=unless_conflict_on)
    returned = fetch_one(sql, params)
    if returned is None:
        return False
    mark_saved(obj, returned[0])
    return True


def insert_from(obj: Model, *, source: str, columns_from_source: dict[str, str],
                unless_conflict_on: Sequence[str] = (),
                returning_row: bool = False) -> tuple[str, list[Any]]:
    """SQL and parameters for `INSERT INTO <obj's table> (…) SELECT … FROM <source>`, a step of
    a WITH statement: the columns named in `columns_from_source` take the given expression over
    the source (say the id another step returned), the others `obj`'s own values. Every other
    field, and any field added later, is written from `obj` as Django would write it. RETURNING
    the primary key, or with `returning_row` every column as `columns()` lists them."""
    model = type(obj)
    quote = connection.ops.quote_name
    fields, values = _insertable(obj)
    selected, params = [], []
    for field, value in zip(fields, values, strict=True):
        if field.column in columns_from_source:
            selected.append(columns_from_source[field.column])
        else:
            selected.append("%s")
            params.append(value)
    conflict = (f" ON CONFLICT ({', '.join(quote(name) for name in unless_conflict_on)})"
                " DO NOTHING" if unless_conflict_on else "")
    sql = (f"INSERT INTO {table(model)} "  # noqa: S608 (model identifiers; values bound)
           f"({', '.join(quote(field.column) for field in fields)}) "
           f"SELECT {', '.join(selected)} FROM {source}{conflict} RETURNING "
           f"{columns(model, table(model)) if returning_row else quote(model._meta.pk.column)}")
    return sql, params


def mark_saved[M: Model](obj: M, pk: Any) -> M:
    """`obj` as the database holds it once a statement built by `insert_from` returned `pk`."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def cursor() -> Any:
    return connection.cursor()


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else tuple(row)
