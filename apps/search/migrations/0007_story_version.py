"""A second version, for the curated story alone (events, their chapters, sources, claims and
the posts and articles linked to them as evidence): the timeline's rendered events are kept
under it, so that posts arriving and being published elsewhere in the archive do not make the
story render again (see ``apps.core.content.content_changed``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0006_volume_by_month")]

    operations = [
        migrations.RunSQL(
            """
            CREATE SEQUENCE search_story_change;
            ALTER TABLE search_contentversion DROP CONSTRAINT search_contentversion_id_check;
            ALTER TABLE search_contentversion ADD CONSTRAINT search_contentversion_id_check
                CHECK (id IN (1, 2));
            INSERT INTO search_contentversion (id, n) VALUES (2, 0);
            """,
            """
            DELETE FROM search_contentversion WHERE id = 2;
            ALTER TABLE search_contentversion DROP CONSTRAINT search_contentversion_id_check;
            ALTER TABLE search_contentversion ADD CONSTRAINT search_contentversion_id_check
                CHECK (id = 1);
            DROP SEQUENCE search_story_change;
            """,
        )
    ]
