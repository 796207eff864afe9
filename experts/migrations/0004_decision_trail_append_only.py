"""The vetting audit trail is append-only, enforced by PostgreSQL itself: UPDATE and DELETE on
experts_expertdecision are refused, whoever asks (the app, the admin, a shell)."""

from django.db import migrations

APPEND_ONLY_SQL = """
CREATE FUNCTION experts_refuse_decision_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the vetting audit trail is append-only: % on % is not allowed',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER experts_expertdecision_append_only
    BEFORE UPDATE OR DELETE ON experts_expertdecision
    FOR EACH ROW EXECUTE FUNCTION experts_refuse_decision_change();
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS experts_expertdecision_append_only ON experts_expertdecision;
DROP FUNCTION IF EXISTS experts_refuse_decision_change();
"""


class Migration(migrations.Migration):
    dependencies = [("experts", "0003_application_vetting_and_training_packs")]

    operations = [migrations.RunSQL(APPEND_ONLY_SQL, REVERSE_SQL)]
