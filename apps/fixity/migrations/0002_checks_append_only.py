from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION fixity_check_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'fixity checks are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER fixity_check_no_update_delete
BEFORE UPDATE OR DELETE ON fixity_fixitycheck
FOR EACH ROW EXECUTE FUNCTION fixity_check_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS fixity_check_no_update_delete ON fixity_fixitycheck;
DROP FUNCTION IF EXISTS fixity_check_append_only();
"""


class Migration(migrations.Migration):
    """The history of checks refuses UPDATE and DELETE in the database itself: evidence that a
    file was intact (or not) on a day stays. (TRUNCATE stays allowed: the test runner empties
    tables with it between transactional tests.)"""

    dependencies = [("fixity", "0001_initial")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
