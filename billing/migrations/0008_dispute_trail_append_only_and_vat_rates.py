"""The dispute trail is append-only, like the ledger: PostgreSQL refuses UPDATE and DELETE on
its events (reusing the ledger's `billing_refuse_change`, migration 0002). And the standard VAT
rates of a few countries to start from; ops keep the table current."""

from datetime import date
from decimal import Decimal

from django.db import migrations

TRAIL_SQL = """
CREATE TRIGGER billing_disputeevent_append_only
    BEFORE UPDATE OR DELETE ON billing_disputeevent
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
"""

REVERSE_TRAIL_SQL = """
DROP TRIGGER IF EXISTS billing_disputeevent_append_only ON billing_disputeevent;
"""

STARTING_RATES = {"IE": "23.00", "DE": "19.00", "FR": "20.00", "NL": "21.00", "ES": "21.00",
                  "IT": "22.00", "AT": "20.00", "BE": "21.00"}


def add_rates(apps, schema_editor):  # type: ignore[no-untyped-def]
    vat_rate = apps.get_model("billing", "VatRate")
    for country, rate in STARTING_RATES.items():
        vat_rate.objects.get_or_create(country=country, valid_from=date(2024, 1, 1),
                                       defaults={"rate_percent": Decimal(rate)})


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_invoices_and_disputes")]

    operations = [
        migrations.RunSQL(TRAIL_SQL, REVERSE_TRAIL_SQL),
        migrations.RunPython(add_rates, migrations.RunPython.noop),
    ]
