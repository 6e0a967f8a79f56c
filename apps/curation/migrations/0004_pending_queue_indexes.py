from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS curation_queue_pending_posts
    ON archive_post (id) WHERE moderation_state = 'pending';
CREATE INDEX IF NOT EXISTS curation_queue_pending_articles
    ON archive_sourcearticle (id) WHERE moderation_state = 'pending';
CREATE INDEX IF NOT EXISTS curation_queue_pending_events
    ON timeline_timelineevent (id) WHERE moderation_state = 'pending';
"""

DROP = """
DROP INDEX IF EXISTS curation_queue_pending_posts;
DROP INDEX IF EXISTS curation_queue_pending_articles;
DROP INDEX IF EXISTS curation_queue_pending_events;
"""


class Migration(migrations.Migration):
    """The moderation queue reads pending entries oldest first (``ORDER BY id``). Pending rows
    are few and the newest, so without these partial indexes PostgreSQL walks the primary key
    through every published row to find them (240 ms at 1M posts; see
    benchmarks/curation_bulk.py). They live here, not in the archive's models, because the
    queue is curation's; they are invisible to the ORM's migration state."""

    dependencies = [
        ("curation", "0003_curation_queue_takedowns"),
        ("archive", "0003_provenance"),
        ("timeline", "0001_initial"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
