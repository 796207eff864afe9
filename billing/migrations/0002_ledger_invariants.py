"""The ledger's invariants, enforced by PostgreSQL itself.

1. Every transaction balances: a deferred constraint trigger checks, at commit, that the entries
   of each touched transaction sum to zero and that there are at least two of them.
2. Append-only: UPDATE and DELETE on entries and transactions are refused. Corrections are
   reversing transactions.
"""

from django.db import migrations

BALANCE_SQL = """
CREATE FUNCTION billing_check_transaction_balances() RETURNS trigger AS $$
DECLARE
    total bigint;
    entry_count integer;
BEGIN
    SELECT COALESCE(SUM(amount_minor), 0), COUNT(*) INTO total, entry_count
    FROM billing_ledgerentry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 OR entry_count < 2 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (sum %, % entries)',
            NEW.transaction_id, total, entry_count
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER billing_ledgerentry_balances
    AFTER INSERT ON billing_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_check_transaction_balances();

CREATE FUNCTION billing_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON billing_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();

CREATE TRIGGER billing_ledgertransaction_append_only
    BEFORE UPDATE OR DELETE ON billing_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS billing_ledgertransaction_append_only ON billing_ledgertransaction;
DROP TRIGGER IF EXISTS billing_ledgerentry_append_only ON billing_ledgerentry;
DROP FUNCTION IF EXISTS billing_refuse_change();
DROP TRIGGER IF EXISTS billing_ledgerentry_balances ON billing_ledgerentry;
DROP FUNCTION IF EXISTS billing_check_transaction_balances();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunSQL(BALANCE_SQL, REVERSE_SQL)]
