"""A version number for everything public, bumped whenever an entry, its evidence or their
moderation state changes (see ``apps.core.content.content_changed``): cached fragments of
public pages are keyed by it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fill_the_index")]

    operations = [
        migrations.RunSQL(
            """
            CREATE SEQUENCE search_content_change;
            CREATE TABLE search_contentversion (
                id smallint PRIMARY KEY CHECK (id = 1),
                n bigint NOT NULL
            );
            INSERT INTO search_contentversion (id, n) VALUES (1, 0);
            """,
            "DROP TABLE search_contentversion; DROP SEQUENCE search_content_change;",
        )
    ]
