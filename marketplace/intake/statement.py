"""The intake's one statement: every inquiry in writes its customer (found or created), the
inquiry, its first message and its first event. Written with the ORM, that is six round trips
(a transaction around four statements) and two and a half times the CPU of one statement; so
they are one `WITH … INSERT` on a database cursor, atomic on its own, its SQL made once per
process.

The column lists come from the models' `_meta`, and each value is what the field itself would
send (`pre_save`, then `get_db_prep_save`), so a field added to one of these models is written
here too. Only the joins between the steps are written by hand."""


from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

from marketplace.inquiries.models import Customer, Inquiry, InquiryEvent, Message

ONE_ROW_UNLESS_FOUND = "(VALUES (1)) AS one_row WHERE NOT EXISTS (SELECT 1 FROM found)"


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f"{alias}.{_quote(field.column)}" for field in model._meta.concrete_fields)


@dataclass(frozen=True)
class _Step:
    """An `INSERT INTO <model's table> (…) SELECT … FROM <source>` step of the WITH statement:
    its SQL, and the fields whose values `obj` gives, in the order of the SQL's placeholders."""

    sql: str
    valued: "tuple[Field[Any, Any], ...]"

    def params(self, obj: Model) -> list[Any]:
        connection = connections[DEFAULT_DB_ALIAS]
        return [field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                for field in self.valued]


@cache
def _insert_from(model: type[Model], *, source: str, from_source: tuple[tuple[str, str], ...],
                 unless_conflict_on: tuple[str, ...] = (),
                 returning_row: bool = False) -> _Step:
    """The step inserting a `model` row from `source`: the columns in `from_source` take the
    given expression over the source (say the id another step returned); every other column
    but the database's own primary key takes the value of the object inserted. With
    `unless_conflict_on` (the columns of a unique constraint) a conflicting row is skipped, not
    an error. Returns the primary key, or with `returning_row` every column. Made once per
    process: only the values change from one inquiry to the next."""
    table = _quote(model._meta.db_table)
    expressions = dict(from_source)
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.pk]
    selected = [expressions.get(field.column, "%s") for field in fields]
    conflict = (f" ON CONFLICT ({', '.join(_quote(name) for name in unless_conflict_on)})"
                " DO NOTHING" if unless_conflict_on else "")
    returning = (_columns(model, table) if returning_row
                 else f"{table}.{_quote(model._meta.pk.column)}")
    sql = (f"INSERT INTO {table} ({', '.join(_quote(field.column) for field in fields)}) "  # noqa: S608 (model identifiers; values bound)
           f"SELECT {', '.join(selected)} FROM {source}{conflict} RETURNING {returning}")
    return _Step(sql, tuple(field for field in fields if field.column not in expressions))


@cache
def _statement() -> tuple[str, _Step, _Step, _Step, _Step]:
    """The WITH statement and its four insert steps, made once per process."""
    customer = _insert_from(Customer, source=ONE_ROW_UNLESS_FOUND, from_source=(),
                            unless_conflict_on=("brand_id", "email"), returning_row=True)
    inquiry = _insert_from(Inquiry, source="customer",
                           from_source=(("customer_id", "customer.id"),),
                           unless_conflict_on=("brand_id", "external_id"))
    message = _insert_from(Message, source="inquiry", from_source=(("inquiry_id", "inquiry.id"),))
    event = _insert_from(InquiryEvent, source="inquiry",
                         from_source=(("inquiry_id", "inquiry.id"),))
    steps = [
        ("found", f"SELECT {_columns(Customer, 'c')} FROM {_quote(Customer._meta.db_table)} c "  # noqa: S608 (model identifiers; values bound)
                  "WHERE c.brand_id = %s AND c.email = %s"),
        ("created", customer.sql),
        ("customer", "SELECT * FROM found UNION ALL SELECT * FROM created"),
        ("inquiry", inquiry.sql),
        ("message", message.sql),
        ("event", event.sql),
    ]
    sql = ("WITH " + ", ".join(f"{name} AS ({step})" for name, step in steps)  # noqa: S608 (model identifiers; values bound)
           + " SELECT customer.*, (SELECT id FROM inquiry) FROM customer")
    return sql, customer, inquiry, message, event


def insert_inquiry_rows(*, customer: Customer, inquiry: Inquiry, message: Message,
                        event: InquiryEvent) -> tuple[Customer, int | None] | None:
    """One statement finds or creates the customer and inserts the inquiry, its first message
    and its first event, unless the brand already has an inquiry with this external id. Gives
    the customer as stored and the new inquiry's id (None for a known external id), or None
    when the customer was being created concurrently (a second try finds it)."""
    sql, customer_step, inquiry_step, message_step, event_step = _statement()
    params = [customer.brand_id, customer.email, *customer_step.params(customer),
              *inquiry_step.params(inquiry), *message_step.params(message),
              *event_step.params(event)]
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    stored = Customer(**{field.attname: value
                         for field, value in zip(Customer._meta.concrete_fields, row,
                                                 strict=False)})
    return stored, row[-1]
