"""Fill the database with a synthetic corpus shaped like the real one, for benchmarks.

Everything is generated inside PostgreSQL (``INSERT ... SELECT generate_series``), not row by
row through the ORM: a million posts take a few minutes on two cores, most of it building the
search index. Posts are concentrated in the second half of October 2017, as the real ones were
(a long, thin tail from 2006 onwards), with a Zipf-like vocabulary so that there are very common
words, rare words and rare pairs; a share say "me too" and carry #MeToo.

Point it at a throwaway database (``DATABASE_URL=... manage.py migrate && ... generate_corpus``);
it refuses to run on a database that already holds posts unless given ``--append``.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.search.indexing import index_rebuild

# A small vocabulary: the first words are by far the most frequent (picked with random()^3).
VOCABULARY = (
    "the i to and a of was me too it my when he in at that this for not is you all "
    "women men work said story years old time told boss never him her they friend "
    "school first people know who because again felt night party home office job "
    "afraid alone believe speak silence survivor harassment assault abuse power "
    "hollywood film industry actor actress producer director media news report "
    "weinstein courage solidarity support listen change movement voices stories "
    "colleague manager coach teacher uncle doctor church team hotel room car bus "
    "metro campus shame fear anger justice truth trust consent respect equality "
    "burke milano kantor twohey farrow mcgowan judd paltrow jolie nyong'o sorvino "
    "balancetonporc quellavoltache yotambien ana cuentalo niunamenos timesup "
    "heartbreaking brave proud grateful exhausted furious numb overwhelmed hopeful"
).split()
HASHTAGS = ("MeToo", "metoo", "TimesUp", "BalanceTonPorc", "YoTambien", "WhyIDidntReport")
RARE = ("zanzibar", "quokka", "vellichor", "sonder", "petrichor", "apricity", "hiraeth")


class Command(BaseCommand):
    help = "Generate a synthetic corpus (accounts, posts, outlets, articles) and index it."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=1_000_000)
        parser.add_argument("--accounts", type=int, default=300_000)
        parser.add_argument("--articles", type=int, default=20_000)
        parser.add_argument("--outlets", type=int, default=300)
        parser.add_argument("--seed", type=float, default=0.42, help="setseed() value, 0 to 1")
        parser.add_argument("--append", action="store_true")
        parser.add_argument("--no-index", action="store_true", help="skip the index rebuild")

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM archive_post)")
            if cursor.fetchone()[0] and not options["append"]:
                raise CommandError(
                    "This database already holds posts; use a throwaway one (or --append)."
                )
        steps = [
            ("accounts", self.accounts, options["accounts"]),
            ("outlets", self.outlets, options["outlets"]),
            ("posts", self.posts, (options["posts"], options["accounts"])),
            ("articles", self.articles, (options["articles"], options["outlets"])),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [options["seed"]])
            for name, step, arg in steps:
                started = time.monotonic()
                count = step(cursor, arg)
                self.stdout.write(f"{name}: {count:,} in {time.monotonic() - started:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if not options["no_index"]:
            started = time.monotonic()
            counts = index_rebuild(bulk=True)
            self.stdout.write(
                f"index: {sum(counts.values()):,} rows in {time.monotonic() - started:.1f}s"
            )

    def accounts(self, cursor, n: int) -> int:
        cursor.execute(
            """
            INSERT INTO archive_account (platform, handle, display_name, profile_url,
                description, is_public_figure, handle_visible, moderation_state, created_at,
                updated_at)
            SELECT CASE WHEN random() < 0.9 THEN 'twitter' ELSE 'mastodon' END,
                   'bench_user' || g, 'Person ' || g, '', '', random() < 0.01, false,
                   'published', now(), now()
            FROM generate_series(1, %s) AS g
            ON CONFLICT DO NOTHING
            """,
            [n],
        )
        return cursor.rowcount

    def outlets(self, cursor, n: int) -> int:
        cursor.execute(
            """
            INSERT INTO archive_outlet (name, slug, domain, homepage, moderation_state,
                created_at, updated_at)
            SELECT 'Bench Outlet ' || g, 'bench-outlet-' || g, 'outlet' || g || '.example.org',
                   '', 'published', now(), now()
            FROM generate_series(1, %s) AS g
            ON CONFLICT DO NOTHING
            """,
            [n],
        )
        return cursor.rowcount

    def posts(self, cursor, sizes: tuple[int, int]) -> int:
        n, accounts = sizes
        cursor.execute("SELECT min(id), max(id) FROM archive_account")
        low, high = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO archive_post (platform, platform_id, account_id, text, media_text,
                posted_at, url, language, hashtags, mentions, in_reply_to_platform_id,
                quote_of_platform_id, hydrated, content_warning, moderation_state, created_at,
                updated_at, captured_at, capture_sha256)
            SELECT CASE WHEN r2 < 0.85 THEN 'twitter' WHEN r2 < 0.95 THEN 'mastodon'
                        ELSE 'bluesky' END,
                   'bench' || g,
                   %(low)s + floor(power(random(), 2) * (%(high)s - %(low)s))::bigint,
                   concat_ws(' ',
                       CASE WHEN random() < 0.2 THEN 'me too' END,
                       (SELECT string_agg((%(vocabulary)s::text[])[
                                1 + floor(power(random(), 3) * %(size)s)::int], ' ')
                        FROM generate_series(1, 6 + (g %% 20)) AS w WHERE g > 0),
                       CASE WHEN random() < 0.0005 THEN (%(rare)s::text[])[1 + (g %% 7)] END,
                       CASE WHEN random() < 0.4 THEN '#MeToo' END),
                   '',
                   CASE
                       WHEN r < 0.7 THEN timestamptz '2017-10-15 20:00+00'
                            + power(random(), 2) * interval '16 days'
                       WHEN r < 0.9 THEN timestamptz '2017-11-01 00:00+00'
                            + random() * interval '425 days'
                       ELSE timestamptz '2006-01-01 00:00+00' + random() * interval '5000 days'
                   END,
                   'https://twitter.com/i/web/status/' || g,
                   CASE WHEN random() < 0.8 THEN 'en' WHEN random() < 0.5 THEN 'fr'
                        ELSE 'es' END,
                   CASE WHEN random() < 0.4 THEN
                        ARRAY[(%(hashtags)s::text[])[1 + (g %% 6)]] ELSE '{}' END,
                   '{}', '', '', true, '', 'published', now(), now(), now(),
                   md5(g::text) || md5((g + 1)::text)
            FROM (SELECT g, random() AS r, random() AS r2 FROM generate_series(1, %(n)s) AS g)
                AS s
            """,
            {
                "low": low,
                "high": high,
                "vocabulary": list(VOCABULARY),
                "size": len(VOCABULARY),
                "rare": list(RARE),
                "hashtags": list(HASHTAGS),
                "n": n,
            },
        )
        return cursor.rowcount

    def articles(self, cursor, sizes: tuple[int, int]) -> int:
        n, _outlets = sizes
        cursor.execute("SELECT min(id), max(id) FROM archive_outlet")
        low, high = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO archive_sourcearticle (canonical_url, url, outlet_id, title, authors,
                published_at, date_note, excerpt, text, language, moderation_state,
                created_at, updated_at, captured_at, capture_sha256)
            SELECT 'https://outlet.example.org/bench/' || g, '',
                   %(low)s + (g %% (%(high)s - %(low)s + 1)),
                   (SELECT string_agg((%(vocabulary)s::text[])[
                        1 + floor(power(random(), 2) * %(size)s)::int], ' ')
                    FROM generate_series(1, 8) AS w WHERE g > 0),
                   ARRAY['Reporter ' || (g %% 500)],
                   timestamptz '2017-10-05 00:00+00' + power(random(), 2) * interval '400 days',
                   '',
                   (SELECT string_agg((%(vocabulary)s::text[])[
                        1 + floor(power(random(), 3) * %(size)s)::int], ' ')
                    FROM generate_series(1, 40) AS w WHERE g > 0),
                   (SELECT string_agg((%(vocabulary)s::text[])[
                        1 + floor(power(random(), 3) * %(size)s)::int], ' ')
                    FROM generate_series(1, 400) AS w WHERE g > 0),
                   'en', 'published', now(), now(), now(), md5(g::text) || md5((g + 7)::text)
            FROM generate_series(1, %(n)s) AS g
            """,
            {
                "low": low,
                "high": high,
                "vocabulary": list(VOCABULARY),
                "size": len(VOCABULARY),
                "n": n,
            },
        )
        return cursor.rowcount
