"""The intake's one statement: every inquiry in writes its customer (found or created), the
inquiry, its first message and its first event, and a round trip each (in a transaction of their
own) cost the intake API about a third of its throughput (make bench, intake). So they are one
`WITH … INSERT` on `connection.cursor()`, atomic on its own.

The column lists come from the models' `_meta`, and each value is what the field itself would
send (`pre_save`, then `get_db_prep_save`), so a field added to one of these models is written
here too. Only the joins between the steps are written by hand."""


from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from marketplace.inquiries.models import Customer, Inquiry, InquiryEvent, Message

ONE_ROW_UNLESS_FOUND = "(VALUES (1)) AS one_row WHERE NOT EXISTS (SELECT 1 FROM found)"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _fields(model: type[Model]) -> "list[Field[Any, Any]]":
    return list(model._meta.concrete_fields)


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{_quote(field.column)}" for field in _fields(model))


def _insert_from(obj: Model, *, source: str, from_source: dict[str, str],
                 unless_conflict_on: Sequence[str] = (),
                 returning_row: bool = False) -> tuple[str, list[Any]]:
    """`INSERT INTO <obj's table> (…) SELECT … FROM <source>`, a step of the WITH statement. The
    columns in `from_source` take the given expression over the source (say the id another step
    returned); every other column but the database's own primary key takes `obj`'s value. With
    `unless_conflict_on` (the columns of a unique constraint) a conflicting row is skipped, not
    an error. Returns the primary key, or with `returning_row` every column."""
    model = type(obj)
    table = _quote(model._meta.db_table)
    fields = [field for field in _fields(model) if field is not model._meta.pk]
    selected, params = [], []
    for field in fields:
        if field.column in from_source:
            selected.append(from_source[field.column])
        else:
            selected.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
    conflict = (f" ON CONFLICT ({', '.join(_quote(name) for name in unless_conflict_on)})"
                " DO NOTHING" if unless_conflict_on else "")
    returning = (_columns(model, table) if returning_row
                 else f"{table}.{_quote(model._meta.pk.column)}")
    sql = (f"INSERT INTO {table} ({', '.join(_quote(field.column) for field in fields)}) "  # noqa: S608 (model identifiers; values bound)
           f"SELECT {', '.join(selected)} FROM {source}{conflict} RETURNING {returning}")
    return sql, params


def insert_inquiry_rows(*, customer: Customer, inquiry: Inquiry, message: Message,
                        event: InquiryEvent) -> tuple[Customer, int | None] | None:
    """One statement finds or creates the customer and inserts the inquiry, its first message
    and its first event, unless the brand already has an inquiry with this external id. Gives
    the customer as stored and the new inquiry's id (None for a known external id), or None
    when the customer was being created concurrently (a second try finds it)."""
    steps = [
        ("found", f"SELECT {_columns(Customer, 'c')} FROM {_quote(Customer._meta.db_table)} c "  # noqa: S608 (model identifiers; values bound)
                  "WHERE c.brand_id = %s AND c.email = %s", [customer.brand_id, customer.email]),
        ("created", *_insert_from(
            customer, source=ONE_ROW_UNLESS_FOUND,
            from_source={}, unless_conflict_on=("brand_id", "email"), returning_row=True)),
        ("customer", "SELECT * FROM found UNION ALL SELECT * FROM created", []),
        ("inquiry", *_insert_from(inquiry, source="customer",
                                  from_source={"customer_id": "customer.id"},
                                  unless_conflict_on=("brand_id", "external_id"))),
        ("message", *_insert_from(message, source="inquiry",
                                  from_source={"inquiry_id": "inquiry.id"})),
        ("event", *_insert_from(event, source="inquiry",
                                from_source={"inquiry_id": "inquiry.id"})),
    ]
    sql = ("WITH " + ", ".join(f"{name} AS ({step})" for name, step, _ in steps)  # noqa: S608 (model identifiers; values bound)
           + " SELECT customer.*, (SELECT id FROM inquiry) FROM customer")
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, _, params in steps for param in params])
        row = cursor.fetchone()
    if row is None:
        return None
    stored = Customer(**{field.attname: value
                         for field, value in zip(_fields(Customer), row, strict=False)})
    return stored, row[-1]
