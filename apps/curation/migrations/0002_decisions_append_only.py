from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION curation_decision_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'moderation decisions are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER curation_decision_no_update_delete
BEFORE UPDATE OR DELETE ON curation_moderationdecision
FOR EACH ROW EXECUTE FUNCTION curation_decision_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS curation_decision_no_update_delete ON curation_moderationdecision;
DROP FUNCTION IF EXISTS curation_decision_append_only();
"""


class Migration(migrations.Migration):
    """The audit log refuses UPDATE and DELETE in the database itself. (TRUNCATE stays allowed:
    the test runner empties tables with it between transactional tests.)"""

    dependencies = [("curation", "0001_initial")]

    operations = [migrations.RunSQL(FORBID, ALLOW)]
