"""Random pseudonyms, stored per account, in place of the hash of the handle.

Pseudonyms used to be computed as the first six hex digits of SHA-256("platform:handle"), which
anyone holding a list of handles could recompute. The column added here has a volatile database
default (``NewPseudonym``, a random UUID's bits), so PostgreSQL evaluates it once per existing
row while it rewrites the table: every existing account gets its own new random pseudonym in
this one statement, and the old, derivable ones are gone from every page, export and citation.
"""

from django.db import migrations, models

import apps.archive.models

# Fragments cached under the current public content version (facet labels, the timeline's
# evidence) still carry the old pseudonyms: moving the version makes them stale, as
# apps.core.content.content_changed does. Nothing to do before the search app's tables exist.
CONTENT_CHANGED_SQL = """
DO $$
BEGIN
    IF to_regclass('search_contentversion') IS NOT NULL THEN
        UPDATE search_contentversion SET n = n + 1;
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0004_statement_level_references"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="pseudonym",
            field=models.CharField(
                db_default=apps.archive.models.NewPseudonym(),
                editable=False,
                help_text="Shown instead of the handle of a private person; random, never changes.",
                max_length=40,
            ),
        ),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.UniqueConstraint(fields=("pseudonym",), name="account_pseudonym"),
        ),
        migrations.RunSQL(CONTENT_CHANGED_SQL, migrations.RunSQL.noop),
    ]
