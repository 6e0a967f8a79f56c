"""Per-month volume counts beside the per-day and per-hour ones: the whole timeline by year and a
year by month read a few hundred month rows instead of tens of thousands of day rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0005_content_version")]

    operations = [
        migrations.AlterField(
            model_name="volumecount",
            name="granularity",
            field=models.CharField(
                choices=[("month", "Month"), ("day", "Day"), ("hour", "Hour")], max_length=5
            ),
        ),
        migrations.RunSQL(
            """
            INSERT INTO search_volumecount (granularity, bucket, kind, platform, language, n)
            SELECT 'month', date_trunc('month', bucket, 'UTC'), kind, platform, language, sum(n)
            FROM search_volumecount WHERE granularity = 'day'
            GROUP BY 2, 3, 4, 5
            HAVING sum(n) <> 0;
            ANALYZE search_volumecount;
            """,
            "DELETE FROM search_volumecount WHERE granularity = 'month'",
        ),
    ]
