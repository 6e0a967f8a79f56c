"""The curated story the archive is seeded with: outlets, the five seed articles, the posts they
quote, the chapters, the timeline events and the competing dates where sources disagree.

Every fact here comes from the five seed articles (``fixtures/seed_articles/``) or from the
researched timeline (``timeline-facts.json`` and its notes); titles and summaries are written in the
archive's own words. Posts come only from the seed articles. Their status ids are not known, so
``platform_id`` is ``archive-<slug>`` and no status URL is given. Where only the day of a post is
known it is stored at noon UTC; the event carries the real precision.

Loaded by :func:`apps.timeline.seeding.story_seed`, which upserts everything by natural key.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

UTC = datetime.UTC
PACIFIC = ZoneInfo("America/Los_Angeles")


def _noon_utc(year: int, month: int, day: int) -> datetime.datetime:
    """A moment for something known only to the day."""
    return datetime.datetime(year, month, day, 12, tzinfo=UTC)


ELLE = "000_19041ad90e06a3a2.txt"
GEO = "001_4a6d130daed6ee4e.txt"
YAHOO = "002_4104afc959bd6fd9.txt"
GLOBAL_CITIZEN = "003_02c592e8bc913571.txt"
E_NEWS = "004_89d2c643b5c07f9c.txt"

OUTLETS = [
    {
        "domain": "www.elleuk.com",
        "name": "ELLE UK",
        "slug": "elle-uk",
        "homepage": "http://www.elleuk.com/",
    },
    {
        "domain": "geo.tv",
        "name": "Geo News",
        "slug": "geo-news",
        "homepage": "https://geo.tv/",
    },
    {
        "domain": "uk.style.yahoo.com",
        "name": "Yahoo Style UK",
        "slug": "yahoo-style-uk",
        "homepage": "https://uk.style.yahoo.com/",
    },
    {
        "domain": "www.globalcitizen.org",
        "name": "Global Citizen",
        "slug": "global-citizen",
        "homepage": "https://www.globalcitizen.org/",
    },
    {
        "domain": "www.eonline.com",
        "name": "E! News",
        "slug": "e-news",
        "homepage": "https://www.eonline.com/",
    },
]

# One entry per seed file; ``text`` is read from the file itself.
ARTICLES = [
    {
        "seed": ELLE,
        "canonical_url": "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
        "outlet": "www.elleuk.com",
        "title": "'Me too'",
        "authors": ["Louise Donovan"],
        "published_at": _noon_utc(2017, 10, 16),
        "date_note": (
            "Undated; the text says 'On Sunday night' of Milano's tweet (15 Oct), "
            "so probably 16 Oct 2017."
        ),
        "excerpt": (
            "On Sunday night, Alyssa Milano (who starred in Charmed with Rose McGowan) called on "
            "women to speak up about surviving sexual assault by using the hashtag 'me too'."
        ),
    },
    {
        "seed": GEO,
        "canonical_url": "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
        "outlet": "geo.tv",
        "title": "#MeToo: Women flood social media with personal stories of assault",
        "authors": [],
        "published_at": _noon_utc(2017, 10, 16),
        "date_note": (
            "Dated October 16, 2017 in the text, with no time. No byline; it reads like a wire "
            "story. The title is taken from the page's address."
        ),
        "excerpt": (
            "Social media was flooded with women who took to Twitter and Facebook to indicate "
            "they have been sexually harassed or assaulted."
        ),
    },
    {
        "seed": YAHOO,
        "canonical_url": "https://uk.style.yahoo.com/thousands-women-reply-alyssa-milanos-metoo-hashtag-encouraging-women-speak-sexual-assault-104346057.html",  # noqa: E501
        "outlet": "uk.style.yahoo.com",
        "title": (
            "Alyssa Milano's #MeToo hashtag proves shocking amount of women have been sexually "
            "harassed and assaulted"
        ),
        "authors": [],
        "published_at": _noon_utc(2017, 10, 16),
        "date_note": (
            "Undated; it quotes an Instagram post of 15 Oct, 10:30pm PDT, and calls the hashtag "
            "'currently trending', so probably 16 Oct 2017. Address rebuilt from a mirror."
        ),
        "excerpt": (
            "In the wake of the Harvey Weinstein scandal, a new viral social media hashtag is "
            "aiming to give a voice to women who have survived sexual assault and harrassment."
        ),
    },
    {
        "seed": GLOBAL_CITIZEN,
        "canonical_url": "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
        "outlet": "www.globalcitizen.org",
        "title": "The Very Good Reason People Are Posting 'Me, Too' All Over Social Media",
        "authors": ["Daniele Selby"],
        "published_at": _noon_utc(2017, 10, 16),
        "date_note": (
            "Undated; the text refers to the 'early morning hours of Monday' after Milano's "
            "Sunday tweet, so probably 16 Oct 2017."
        ),
        "excerpt": (
            "By the early morning hours of Monday, more than 200,000 tweets with the hashtag "
            "#MeToo had been posted, according to Twitter."
        ),
    },
    {
        "seed": E_NEWS,
        "canonical_url": "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
        "outlet": "www.eonline.com",
        "title": (
            'Alyssa Milano Starts "Me Too" Twitter Movement to Spread Awareness of Sexual '
            "Assault and Harassment"
        ),
        "authors": ["Elyse Dupre"],
        "published_at": datetime.datetime(2017, 10, 16, 5, 31, tzinfo=PACIFIC),
        "date_note": (
            "First published Monday 16 Oct 2017 at 5:31 a.m. Pacific (the page says 'PST'); "
            "updated at 12:31 p.m. the same day."
        ),
        "excerpt": (
            "The Project Runway All Stars judge tweeted a call-to-action asking people to speak "
            "out about being sexually harassed or assaulted by replying to her tweet with the "
            'words "Me Too."'
        ),
    },
]

# Public figures' handles are shown; a private person gets a pseudonym. Handles not printed in
# the seeds are the accounts' well-known public handles.
ACCOUNTS = [
    {
        "platform": "twitter",
        "handle": "Alyssa_Milano",
        "display_name": "Alyssa Milano",
        "profile_url": "https://twitter.com/Alyssa_Milano",
        "description": "Actor (Charmed), judge on Project Runway All Stars.",
        "is_public_figure": True,
    },
    {
        "platform": "twitter",
        "handle": "stellacreasy",
        "display_name": "Stella Creasy",
        "profile_url": "https://twitter.com/stellacreasy",
        "description": "Labour MP, UK.",
        "is_public_figure": True,
    },
    {
        # Not a real handle (Twitter handles cannot contain hyphens): ELLE UK describes this
        # person without naming them. A private person, so public pages show a pseudonym.
        "platform": "twitter",
        "handle": "unidentified-creasy-replier",
        "display_name": "",
        "profile_url": "",
        "description": (
            "A Twitter user, not named in the source, who replied to Stella Creasy's 'me too' "
            "tweet (described in ELLE UK, 16 Oct 2017)."
        ),
        "is_public_figure": False,
    },
    {
        "platform": "twitter",
        "handle": "evanrachelwood",
        "display_name": "Evan Rachel Wood",
        "profile_url": "https://twitter.com/evanrachelwood",
        "description": "Actor (Westworld).",
        "is_public_figure": True,
    },
    {
        "platform": "instagram",
        "handle": "jaime_king",
        "display_name": "Jaime King",
        "profile_url": "https://www.instagram.com/jaime_king/",
        "description": "Actor.",
        "is_public_figure": True,
    },
    {
        "platform": "instagram",
        "handle": "hilarieburton",
        "display_name": "Hilarie Burton",
        "profile_url": "https://www.instagram.com/hilarieburton/",
        "description": "Actor.",
        "is_public_figure": True,
    },
]

MILANO_NOTE = (
    "Suggested by a friend: If all the women who have been sexually harassed or assaulted wrote "
    "'Me too' as a status, we might give people a sense of the magnitude of the problem."
)

# In dependency order: a post comes after the post it replies to. ``hydrated`` is False where
# the seeds describe a post without quoting it in full. ``quoted_in`` lists seed files.
POSTS = [
    {
        "platform": "twitter",
        "platform_id": "archive-milano-2017-10-15",
        "account": "Alyssa_Milano",
        "text": (
            "If you've been sexually harassed or assaulted write 'me too' as a reply to this tweet."
        ),
        "media_text": MILANO_NOTE,
        "posted_at": _noon_utc(2017, 10, 15),
        "hashtags": [],
        "hydrated": True,
        "quoted_in": [ELLE, GEO, YAHOO, GLOBAL_CITIZEN, E_NEWS],
    },
    {
        "platform": "twitter",
        "platform_id": "archive-milano-2017-10-16",
        "account": "Alyssa_Milano",
        "text": "… just made aware of an earlier #MeToo movement …",
        "media_text": "",
        "posted_at": _noon_utc(2017, 10, 16),
        "hashtags": ["metoo"],
        "hydrated": False,  # E! News quotes only this fragment.
        "quoted_in": [E_NEWS],
    },
    {
        "platform": "twitter",
        "platform_id": "archive-creasy-2017-10-me-too",
        "account": "stellacreasy",
        "text": "",  # ELLE UK says she tweeted "the words" but the embedded tweet is lost.
        "media_text": "",
        "posted_at": None,
        "hashtags": [],
        "hydrated": False,
        "quoted_in": [ELLE],
    },
    {
        "platform": "twitter",
        "platform_id": "archive-creasy-replier-2017-10",
        "account": "unidentified-creasy-replier",
        "text": "",  # Paraphrased, not quoted: it said it was "crazy" of her to admit it.
        "media_text": "",
        "posted_at": None,
        "hashtags": [],
        "hydrated": False,
        "in_reply_to": "archive-creasy-2017-10-me-too",
        "quoted_in": [ELLE],
    },
    {
        "platform": "twitter",
        "platform_id": "archive-creasy-2017-10-reply",
        "account": "stellacreasy",
        "text": (
            "Not 'admitting' anything. Saying I've been harassed like millions of women [and] "
            "girls all around the world. Shame is on the attackers, not me."
        ),
        "media_text": "",
        "posted_at": None,
        "hashtags": [],
        "hydrated": True,
        "in_reply_to": "archive-creasy-replier-2017-10",
        "quoted_in": [ELLE],
    },
    {
        "platform": "twitter",
        "platform_id": "archive-evanrachelwood-2017-10-15",
        "account": "evanrachelwood",
        "text": (
            "Being raped once made it easier to be raped again. I instinctually shut down. My "
            "body remembered, so it protected me. I disappeared. #metoo"
        ),
        "media_text": "",
        "posted_at": _noon_utc(2017, 10, 15),
        "hashtags": ["metoo"],
        "hydrated": True,
        "quoted_in": [YAHOO],
    },
    {
        "platform": "instagram",
        "platform_id": "archive-jaimeking-2017-10-15",
        "account": "jaime_king",
        "text": (
            "If you have been a victim of sexual assault. Please reply and/or share on your "
            "platforms- me too\n\n"
            "I have spoken openly about my experiences for years. It was not easy. Only when you "
            "are ready. By sharing we commune, we acknowledge, we see we are not alone, we stand "
            "up and we become the change through healing one another and affirmative action. The "
            "days of remaining in silence and fear need not be. Sexual, verbal, emotional and "
            "financial assault have been a consistent experience in my life. No more. I love you. "
            "I honor you. I respect you. With gratitude – Jaime #metoo"
        ),
        "media_text": "Me too",
        # "A post shared by Jaime King (@jaime_king) on Oct 15, 2017 at 10:30pm PDT"
        "posted_at": datetime.datetime(2017, 10, 15, 22, 30, tzinfo=PACIFIC),
        "hashtags": ["metoo"],
        "hydrated": True,
        "quoted_in": [YAHOO],
    },
    {
        "platform": "instagram",
        "platform_id": "archive-hilarieburton-2017-10",
        "account": "hilarieburton",
        "text": "It leaves a mark. #metoo",
        "media_text": "",
        "posted_at": None,  # The embed in E! News lost its date.
        "hashtags": ["metoo"],
        "hydrated": True,
        "quoted_in": [E_NEWS],
    },
]

CHAPTERS = [
    {
        "slug": "before-the-hashtag",
        "position": 1,
        "title": "Before the hashtag",
        "period": "1997–2006",
        "introduction": (
            "Long before #MeToo trended, the youth worker Tarana Burke was using the words "
            "'me too' to reach survivors of sexual violence, above all young women of color. "
            "This chapter follows where the phrase came from, and why the year it began is "
            "still given differently from one source to the next."
        ),
    },
    {
        "slug": "the-years-between",
        "position": 2,
        "title": "The years in between",
        "period": "2007–summer 2017",
        "introduction": (
            "Burke carried on her work with survivors, mostly out of the headlines. Meanwhile "
            "warnings about powerful men in entertainment surfaced and went nowhere: a police "
            "recording that led to no charges, an accusation against an unnamed studio head, a "
            "complaint at Amazon that a trade reporter first described in August 2017."
        ),
    },
    {
        "slug": "the-weinstein-reporting",
        "position": 3,
        "title": "The Weinstein reporting",
        "period": "5–14 October 2017",
        "introduction": (
            "From 5 October, The New York Times and then The New Yorker published detailed "
            "accounts from women about Harvey Weinstein. Within ten days he had lost his company, "
            "his marriage and his place in the Academy; other accusations followed, and women in "
            "the United States, France and Italy began to organise online."
        ),
    },
    {
        "slug": "the-hashtag-goes-viral",
        "position": 4,
        "title": "The hashtag goes viral",
        "period": "15–16 October 2017",
        "introduction": (
            "On Sunday 15 October Alyssa Milano asked anyone who had been harassed or assaulted "
            "to answer 'me too'. Within a day the words had been posted hundreds of thousands of "
            "times on Twitter and millions of times on Facebook, the counts themselves were "
            "disputed, and Milano had pointed people to Tarana Burke, who had used them for a "
            "decade."
        ),
    },
    {
        "slug": "spreading-worldwide",
        "position": 5,
        "title": "Spreading worldwide",
        "period": "17–31 October 2017",
        "introduction": (
            "In the second half of October the hashtag kept travelling: into sport, universities "
            "and politics, to the European Parliament and the US Congress. New accusations "
            "reached news, fashion and film, and Burke's original campaign found a far wider "
            "audience."
        ),
    },
]

# Competing dates, keyed by event slug. Every claim that gives the date the event is filed
# under is preferred.
CLAIMS = {
    "2006-burke-starts-me-too": [
        {
            "date": datetime.date(2006, 1, 1),
            "date_precision": "year",
            "source_name": "Wikipedia: Tarana Burke",
            "source_url": "https://en.wikipedia.org/wiki/Tarana_Burke",
            "note": "",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2006, 1, 1),
            "date_precision": "year",
            "source_name": "The Hill, '100 Women Who Have Helped Shape America: Tarana Burke'",
            "source_url": "https://digital-release.thehill.com/518227-women-who-have-helped-shape-america/518227-tarana-burke/amp",  # noqa: E501
            "note": "Also the source of the MySpace page detail.",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2006, 1, 1),
            "date_precision": "year",
            "source_name": "The Washington Post (Abby Ohlheiser), via The Straits Times reprint",
            "source_url": "https://www.straitstimes.com/lifestyle/entertainment/the-woman-who-started-the-me-too-movement-11-years-ago",  # noqa: E501
            "note": "",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2006, 1, 1),
            "date_precision": "year",
            "source_name": "The Telegraph",
            "source_url": "https://telegraph.co.uk/women/life/metoo-founder-tarana-burke-one-year-time-men-got-involved",  # noqa: E501
            "note": "A retrospective published in October 2018.",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2007, 1, 1),
            "date_precision": "year",
            "source_name": "A secondary site citing Ebony",
            "source_url": "",
            "note": "Gives 2007 and names Ebony as its source; its address was not recorded.",
            "is_preferred": False,
        },
        {
            "date": datetime.date(2007, 1, 1),
            "date_precision": "year",
            "source_name": "The Douglas Review",
            "source_url": "",
            "note": "Gives 2007; its address was not recorded.",
            "is_preferred": False,
        },
    ],
    "2006-just-be-inc-founded": [
        {
            "date": datetime.date(2003, 1, 1),
            "date_precision": "year",
            "source_name": "Wikipedia: Tarana Burke",
            "source_url": "https://en.wikipedia.org/wiki/Tarana_Burke",
            "note": "",
            "is_preferred": False,
        },
        {
            "date": datetime.date(2006, 1, 1),
            "date_precision": "year",
            "source_name": "FOFIA blog",
            "source_url": "https://www.fofia.org/blog/post/black-history-month-honoring-tarana-burke",  # noqa: E501
            "note": "",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2007, 1, 1),
            "date_precision": "year",
            "source_name": "The New York Times profile, as quoted by HipHopWired",
            "source_url": "https://hiphopwired.com/556993/tarana-burke-me-too/",
            "note": "Says 'ten years after' the 1997 encounter, so about 2007.",
            "is_preferred": False,
        },
    ],
    "2017-10-12-twitter-locks-mcgowan-account": [
        {
            "date": datetime.date(2017, 10, 11),
            "date_precision": "day",
            "source_name": "ABC News",
            "source_url": "https://abcnews.go.com/amp/US/womenboycotttwitter-movement-gathers-steam-rose-mcgowan-suspended/story?id=50455622",  # noqa: E501
            "note": "Says Wednesday 11 October.",
            "is_preferred": False,
        },
        {
            "date": datetime.date(2017, 10, 11),
            "date_precision": "day",
            "source_name": "HollywoodLife",
            "source_url": "http://hollywoodlife.com/2017/10/13/what-is-women-boycott-twitter-rose-mcgowan-october-13/",  # noqa: E501
            "note": "Gives both 11 and 12 October.",
            "is_preferred": False,
        },
        {
            "date": datetime.date(2017, 10, 12),
            "date_precision": "day",
            "source_name": "HollywoodLife",
            "source_url": "http://hollywoodlife.com/2017/10/13/what-is-women-boycott-twitter-rose-mcgowan-october-13/",  # noqa: E501
            "note": "Gives both 11 and 12 October.",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2017, 10, 12),
            "date_precision": "day",
            "source_name": "Refinery29",
            "source_url": "https://www.refinery29.com/en-us/2017/10/176412/women-boycott-twitter-rose-mcgowan-suspension",  # noqa: E501
            "note": "Says Thursday 12 October.",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2017, 10, 12),
            "date_precision": "day",
            "source_name": "The Hollywood Reporter",
            "source_url": "https://www.hollywoodreporter.com/news/rose-mcgowan-twitter-suspension-prompts-platform-boycott-call-by-women-1048455",  # noqa: E501
            "note": "Says Thursday 12 October.",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2017, 10, 12),
            "date_precision": "day",
            "source_name": "Twitter Safety statement",
            "source_url": "",
            "note": "The statement is dated 12 October.",
            "is_preferred": True,
        },
    ],
    "2017-10-13-quellavoltache-launched": [
        {
            "date": datetime.date(2017, 10, 12),
            "date_precision": "day",
            "source_name": "L'Espresso",
            "source_url": "",
            "note": "Also wrongly says Burke launched #metoo on 15 October.",
            "is_preferred": False,
        },
        {
            "date": datetime.date(2017, 10, 13),
            "date_precision": "day",
            "source_name": "VICE Italia",
            "source_url": "https://www.vice.com/it/article/quellavoltache-donne-raccontando-abusi-subiti-weinstein-asia-argento/",  # noqa: E501
            "note": "",
            "is_preferred": True,
        },
        {
            "date": datetime.date(2017, 10, 13),
            "date_precision": "day",
            "source_name": "HuffPost Italia",
            "source_url": "http://www.huffingtonpost.it/2017/10/18/ho-lanciato-quellavoltache-perche-diventi-un-grido-collettivo-contro-i-molestatori-e-chi-li-protegge_a_23247273/",  # noqa: E501
            "note": "",
            "is_preferred": True,
        },
    ],
}

# Built from the researched timeline (59 events); dates, precision, confidence and sources
# are kept as researched, titles and summaries are the archive's own words. ``position``
# orders events that share a date. ``posts`` names posts by platform id.
EVENTS = [
    {
        "slug": "1997-burke-hears-a-girls-story",
        "date": datetime.date(1997, 1, 1),
        "date_precision": "year",
        "position": 0,
        "chapter": "before-the-hashtag",
        "title": "A girl's disclosure stays with Tarana Burke",
        "summary": (
            "Working with young people, Burke heard a 13-year-old describe being sexually abused "
            "and could not bring herself to say that it had happened to her too; she later pointed"
            " to that silence as the moment 'me too' began."
        ),
        "confidence": "medium",
        "confidence_note": (
            "The year and the girl's age come from the New York Times profile as quoted by "
            "HipHopWired. The girl's name and the youth-camp setting appear only in later blog "
            "retellings, so they are left out."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The New York Times profile by Sandra E. Garcia, as quoted by HipHopWired",
                "https://hiphopwired.com/556993/tarana-burke-me-too/",
                None,
            ),
            (
                "FOFIA blog (Black History Month profile)",
                "https://www.fofia.org/blog/post/black-history-month-honoring-tarana-burke",
                None,
            ),
        ],
    },
    {
        "slug": "2006-burke-starts-me-too",
        "date": datetime.date(2006, 1, 1),
        "date_precision": "year",
        "position": 0,
        "chapter": "before-the-hashtag",
        "title": "Tarana Burke begins the 'Me Too' campaign",
        "summary": (
            "Burke started using the words 'Me Too' to tell survivors of sexual violence that they"
            " were not alone, with young Black and brown girls and women especially in mind, and "
            "is said to have set up a MySpace page under that name. Most sources put this in 2006;"
            " some say 2007."
        ),
        "confidence": "high",
        "confidence_note": (
            "The year is disputed: most sources give 2006 and a few give 2007 (see the dated "
            "claims). E! News (seed 004) quotes Good Morning America as saying Burke launched the "
            "movement in 2010, which is probably wrong and is not used as a date. The MySpace "
            "detail rests on The Hill and a secondary site (World Lifestyle), so it is less "
            "certain than the rest."
        ),
        "time_note": "",
        "is_highlight": True,
        "posts": [],
        "sources": [
            ("Wikipedia: Tarana Burke", "https://en.wikipedia.org/wiki/Tarana_Burke", None),
            (
                "The Hill, '100 Women Who Have Helped Shape America: Tarana Burke'",
                "https://digital-release.thehill.com/518227-women-who-have-helped-shape-america/518227-tarana-burke/amp",  # noqa: E501
                None,
            ),
            (
                "The Washington Post (Abby Ohlheiser), via The Straits Times reprint",
                "https://www.straitstimes.com/lifestyle/entertainment/the-woman-who-started-the-me-too-movement-11-years-ago",  # noqa: E501
                None,
            ),
            (
                "World Lifestyle",
                "https://worldlifestyle.com/this-is-why-alyssa-milano-was-at-the-brett-kavanaugh-hearings",  # noqa: E501
                None,
            ),
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
        ],
    },
    {
        "slug": "2006-just-be-inc-founded",
        "date": datetime.date(2006, 1, 1),
        "date_precision": "year",
        "position": 1,
        "chapter": "before-the-hashtag",
        "title": "Burke founds Just Be Inc. (year uncertain)",
        "summary": (
            "Burke set up Just Be Inc., a nonprofit for the wellbeing of young women of color; "
            "profiles disagree on when, putting it in 2003, 2006 or about 2007."
        ),
        "confidence": "low",
        "confidence_note": (
            "Wikipedia says 2003, the FOFIA blog says 2006, and the New York Times places it 'ten "
            "years after' 1997, which suggests about 2007. Filed under 2006 for want of a firmer "
            "answer."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "FOFIA blog",
                "https://www.fofia.org/blog/post/black-history-month-honoring-tarana-burke",
                None,
            ),
            ("Wikipedia: Tarana Burke", "https://en.wikipedia.org/wiki/Tarana_Burke", None),
            (
                "The New York Times profile, as quoted by HipHopWired",
                "https://hiphopwired.com/556993/tarana-burke-me-too/",
                None,
            ),
        ],
    },
    {
        "slug": "2014-burke-me-too-talk-recorded",
        "date": datetime.date(2014, 1, 1),
        "date_precision": "year",
        "position": 0,
        "chapter": "the-years-between",
        "title": "A talk by Burke about 'me too' is filmed",
        "summary": (
            "Burke was recorded speaking about her 'me too' work in 2014; she later said the video"
            " spread widely in October 2017 and helped people trace the movement back to her."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Rests on Burke's own recollection in tweets of October 2018, as quoted by News & Guts."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "News & Guts (quoting Burke's Oct 2018 tweets)",
                "https://www.newsandguts.com/alyssa-milano-shares-personal-message-metoo-moment/amp/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2015-nypd-sting-recording-of-weinstein",
        "date": datetime.date(2015, 1, 1),
        "date_precision": "year",
        "position": 0,
        "chapter": "the-years-between",
        "title": "Police record Weinstein in a sting; no charges follow",
        "summary": (
            "After model Ambra Battilana Gutierrez told the NYPD that Weinstein had groped her, "
            "police taped a conversation with him, but the Manhattan District Attorney decided not"
            " to prosecute. The New Yorker released the recording in October 2017."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Independent, 12 Oct 2017",
                "https://www.independent.co.uk/news/uk/crime/harvey-weinstein-met-police-investigation-merseyside-complaint-allegations-hollywood-producer-latest-a7997266.html",  # noqa: E501
                None,
            ),
            (
                "The A.V. Club",
                "https://www.avclub.com/of-course-harvey-weinstein-threatened-to-sue-ronan-farr-1819369063",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2016-mcgowan-says-studio-head-raped-her",
        "date": datetime.date(2016, 1, 1),
        "date_precision": "year",
        "position": 0,
        "chapter": "the-years-between",
        "title": "Rose McGowan says a studio head raped her",
        "summary": (
            "In a run of tweets, McGowan accused an unnamed 'studio head' of raping her, a year "
            "before she publicly named Weinstein."
        ),
        "confidence": "medium",
        "confidence_note": (
            "A single source (Refinery29, writing in October 2017); the day in 2016 was not found."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Refinery29",
                "https://www.refinery29.com/en-us/2017/10/176412/women-boycott-twitter-rose-mcgowan-suspension",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-08-roy-price-complaint-reported",
        "date": datetime.date(2017, 8, 1),
        "date_precision": "month",
        "position": 0,
        "chapter": "the-years-between",
        "title": "First report of a complaint against Amazon's Roy Price",
        "summary": (
            "Writing in The Information, Kim Masters described a 2015 complaint by producer Isa "
            "Hackett against Amazon Studios head Roy Price, weeks before Hackett spoke on the "
            "record."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Known from later coverage by IndieWire and The Hollywood Reporter; the day of "
            "publication was not found, so only the month is given."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            ("IndieWire", "http://fb.indiewire.com/~r/indieWIRENews/~3/a-cvqA8VjiY/", None),
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/amazon-addresses-roy-price-suspension-company-wide-memo-1048778",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-nyt-profiles-tarana-burke",
        "date": datetime.date(2017, 10, 1),
        "date_precision": "month",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "The New York Times profiles Tarana Burke",
        "summary": (
            "Sandra E. Garcia's profile, 'The Woman Who Created #MeToo Long Before Hashtags', "
            "retold the 1997 encounter behind the phrase and reported that Milano had contacted "
            "Burke."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Published in October 2017, but no source found gives the day (possibly 20 October, "
            "unverified). Known through HipHopWired and a University of Virginia course page that "
            "cite it."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "HipHopWired (quotes the NYT piece)",
                "https://hiphopwired.com/556993/tarana-burke-me-too/",
                None,
            ),
            (
                "University of Virginia course page (cites Garcia/NYT)",
                "https://web.arch.virginia.edu/arch547/Archive/2018/Gratz/dissent_final_submission.html",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-05-nyt-weinstein-investigation",
        "date": datetime.date(2017, 10, 5),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "The New York Times reports decades of allegations against Weinstein",
        "summary": (
            "Jodi Kantor and Megan Twohey set out nearly thirty years of harassment allegations "
            "against Harvey Weinstein, with Ashley Judd speaking on the record, and found that he "
            "had reached settlements with at least eight women."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": True,
        "posts": [],
        "sources": [
            (
                "InsideHook, 5 Oct 2017",
                "https://www.insidehook.com/article/news-opinion/new-york-times-drops-story-decades-sexual-harassment-accusations-harvey-weinstein",  # noqa: E501
                None,
            ),
            (
                "Jezebel",
                "https://jezebel.com/new-york-times-report-details-decades-of-alleged-sexual-1819184624",  # noqa: E501
                None,
            ),
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/harvey-weinstein-at-weinstein-1046874",
                None,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
        ],
    },
    {
        "slug": "2017-10-05-weinstein-statement-and-leave",
        "date": datetime.date(2017, 10, 5),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-weinstein-reporting",
        "title": "Weinstein apologises and says he will step away",
        "summary": (
            "In a statement the same day, Weinstein admitted causing 'a lot of pain', blamed the "
            "office culture of decades past, cited a Jay-Z lyric that does not exist, and "
            "announced a leave of absence."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "TheWrap",
                "https://thewrap.com/httpswww-thewrap-comharvey-weinsteins-supposed-jay-z-quote-isnt-really-jay-z-quote",  # noqa: E501
                None,
            ),
            (
                "The Independent, 6 Oct 2017",
                "https://the-independent.com/arts-entertainment/music/news/harvey-weinstein-jay-z-lyric-misquoted-4-44-statement-sexual-harassment-ashley-judd-rose-mcgowan-latest-a7985996.html",  # noqa: E501
                None,
            ),
            (
                "BET, 5 Oct 2017",
                "https://www.bet.com/celebrities/news/2017/10/05/harvey-weinstein.html",
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-06-weinstein-on-leave-directors-quit",
        "date": datetime.date(2017, 10, 6),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "The Weinstein Company puts Weinstein on leave; three directors quit",
        "summary": (
            "The company announced an open-ended leave for its co-founder and an outside inquiry, "
            "and three members of its all-male board resigned."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Refinery29, 7 Oct 2017",
                "https://www.refinery29.com/en-us/2017/10/175627/harvey-weinstein-sexual-harassment-allegations-lawyer-resigns",  # noqa: E501
                None,
            ),
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/general-news/lisa-bloom-resigns-as-harvey-weinstein-advisor-1046819/",  # noqa: E501
                None,
            ),
            (
                "10News (CNN wire)",
                "http://10news.com/news/national/harvey-weinstein-fired-from-film-company-he-co-founded",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-06-lauren-sivan-account",
        "date": datetime.date(2017, 10, 6),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-weinstein-reporting",
        "title": "Lauren Sivan describes a 2007 encounter with Weinstein",
        "summary": (
            "Television journalist Lauren Sivan told HuffPost that in 2007 Weinstein cornered her "
            "in a restaurant corridor and masturbated in front of her."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Known through two secondary reports (Washington Free Beacon and Refinery29); the "
            "HuffPost story itself was not retrieved."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Washington Free Beacon",
                "https://freebeacon.com/culture/lisa-bloom-announces-resignation-harvey-weinsteins-adviser/",  # noqa: E501
                None,
            ),
            (
                "Refinery29",
                "https://www.refinery29.com/en-us/2017/10/175627/harvey-weinstein-sexual-harassment-allegations-lawyer-resigns",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-07-bloom-and-davis-leave-weinstein",
        "date": datetime.date(2017, 10, 7),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "Weinstein's lawyer Lisa Bloom and adviser Lanny Davis step back",
        "summary": (
            "Lisa Bloom announced on Twitter that she had stopped advising Weinstein, and Jodi "
            "Kantor reported that the crisis consultant Lanny Davis was leaving as well."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/general-news/lisa-bloom-resigns-as-harvey-weinstein-advisor-1046819/",  # noqa: E501
                None,
            ),
            (
                "NBC News",
                "http://www.nbcnews.com/news/us-news/weinstein-loses-adviser-lisa-bloom-amid-harassment-allegations-n808666",  # noqa: E501
                None,
            ),
            (
                "Washington Free Beacon, 7 Oct 2017",
                "https://freebeacon.com/culture/lisa-bloom-announces-resignation-harvey-weinsteins-adviser/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-08-weinstein-fired",
        "date": datetime.date(2017, 10, 8),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "The Weinstein Company fires its co-founder",
        "summary": (
            "Citing new information about his conduct, the remaining directors, his brother Bob "
            "among them, dismissed Harvey Weinstein with immediate effect."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/harvey-weinstein-at-weinstein-1046874",
                None,
            ),
            (
                "Reuters via Astro Awani",
                "https://international.astroawani.com/entertainment-news/weinstein-co-board-ousts-harvey-weinstein-after-harassment-allegations-157429?amp=1",  # noqa: E501
                None,
            ),
            (
                "10News (CNN wire)",
                "http://10news.com/news/national/harvey-weinstein-fired-from-film-company-he-co-founded",  # noqa: E501
                None,
            ),
            (
                "ELLE UK (Louise Donovan)",
                "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
                ELLE,
            ),
            (
                "Geo News (geo.tv), 16 Oct 2017",
                "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
                GEO,
            ),
        ],
    },
    {
        "slug": "2017-10-09-milano-essay-on-weinstein",
        "date": datetime.date(2017, 10, 9),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "Milano writes about the Weinstein allegations",
        "summary": (
            "On her website Patriot Not Partisan, Alyssa Milano said the allegations sickened her "
            "but that she welcomed the conversation they had opened; being close to Weinstein's "
            "wife, Georgina Chapman, had at first kept her from speaking."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
            (
                "ELLE UK (Louise Donovan)",
                "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
                ELLE,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
            (
                "NYSE Post",
                "https://nysepost.com/what-is-me-too-on-facebook-twitter-and-why-is-it-trending-363915",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-10-new-yorker-farrow-investigation",
        "date": datetime.date(2017, 10, 10),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "The New Yorker publishes Ronan Farrow's investigation",
        "summary": (
            "Posted online after ten months of reporting, Farrow's story carried the accounts of "
            "13 women, three of whom, Asia Argento among them, said Weinstein raped them, together"
            " with audio from the 2015 police sting."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The New Yorker",
                "https://www.newyorker.com/news/news-desk/from-aggressive-overtures-to-sexual-assault-harvey-weinsteins-accusers-tell-their-stories",  # noqa: E501
                None,
            ),
            ("Mamamia", "https://www.mamamia.com.au/ronan-farrow-harvey-weinstein/", None),
            (
                "The A.V. Club",
                "https://www.avclub.com/of-course-harvey-weinstein-threatened-to-sue-ronan-farr-1819369063",  # noqa: E501
                None,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
        ],
    },
    {
        "slug": "2017-10-10-paltrow-and-jolie-accounts",
        "date": datetime.date(2017, 10, 10),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-weinstein-reporting",
        "title": "Gwyneth Paltrow and Angelina Jolie add their accounts",
        "summary": (
            "A further New York Times story by Jodi Kantor and Rachel Abrams reported that "
            "Weinstein had made unwanted advances to Paltrow and Jolie when they were starting "
            "out; Rosanna Arquette and Judith Godrèche described similar experiences."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Fuse, 10 Oct 2017",
                "https://www.fuse.tv/2017/10/angelina-jolie-gwyneth-paltrow-harvey-weinstein-sexually-harassed",  # noqa: E501
                None,
            ),
            (
                "The Boston Globe reprint of the NYT story (PageSuite)",
                "http://edition.pagesuite.com/popovers/article_popover.aspx?guid=f5c611a9-4ac1-471c-aaa6-29f485e11b26",  # noqa: E501
                None,
            ),
            (
                "CBC, 11 Oct 2017 (republished)",
                "http://arts.re-publish.com/1526055/did-gwyneth-paltrow-and-angelina-jolie-seal-harvey-weinsteins-fate",  # noqa: E501
                None,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
        ],
    },
    {
        "slug": "2017-10-10-georgina-chapman-leaves-weinstein",
        "date": datetime.date(2017, 10, 10),
        "date_precision": "day",
        "position": 2,
        "chapter": "the-weinstein-reporting",
        "title": "Georgina Chapman says she is leaving Weinstein",
        "summary": (
            "The Marchesa co-founder told People that she was leaving her husband and that her "
            "heart went out to the women he had hurt."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "AP via WNCN",
                "http://wncn.com/2017/10/10/harvey-weinsteins-wife-says-she-is-leaving-him/",
                None,
            ),
            (
                "HuffPost Australia",
                "http://www.huffingtonpost.com.au/2017/10/10/marchesa-designer-georgina-chapman-leaves-husband-harvey-weinstein_a_23239395/",  # noqa: E501
                None,
            ),
            (
                "ELLE UK (Louise Donovan)",
                "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
                ELLE,
            ),
            (
                "Geo News (geo.tv), 16 Oct 2017",
                "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
                GEO,
            ),
        ],
    },
    {
        "slug": "2017-10-10-terry-crews-groped-by-executive",
        "date": datetime.date(2017, 10, 10),
        "date_precision": "day",
        "position": 3,
        "chapter": "the-weinstein-reporting",
        "title": "Terry Crews tells of being groped by an executive",
        "summary": (
            "In a series of tweets, Terry Crews said the Weinstein news had brought back a 2016 "
            "incident in which a senior Hollywood executive groped him, and set out why victims so"
            " often keep quiet."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "2paragraphs (embeds the tweets dated 10 Oct 2017)",
                "https://2paragraphs.com/2017/10/terry-crews-does-what-jay-leno-did-for-cosby-accusers",  # noqa: E501
                None,
            ),
            (
                "The Week",
                "https://theweek.com/speedreads/730149/terry-crews-says-groped-by-major-hollywood-executive",  # noqa: E501
                None,
            ),
            (
                "A Plus",
                "https://articles.aplus.com/a/terry-crews-sexual-assault-victim-twitter",
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-11-bafta-suspends-weinstein",
        "date": datetime.date(2017, 10, 11),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "BAFTA suspends Weinstein",
        "summary": (
            "Britain's film and television academy suspended Weinstein's membership at once and "
            "started the formal process its rules lay down."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "E! News, 11 Oct 2017",
                "https://www.eonline.com/news/886305/bafta-suspends-harvey-weinstein-s-membership-amid-sexual-assault-allegations",  # noqa: E501
                None,
            ),
            (
                "The Scotsman",
                "http://www.scotsman.com/lifestyle/bafta-suspends-harvey-weinstein-s-membership-immediately-1-4584408",  # noqa: E501
                None,
            ),
            (
                "Business Insider",
                "https://www.businessinsider.com/harvey-weinstein-suspended-from-bafta-2017-10",
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-12-twitter-locks-mcgowan-account",
        "date": datetime.date(2017, 10, 12),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "Twitter locks Rose McGowan's account",
        "summary": (
            "Twitter froze McGowan's account for a time, saying a tweet of hers showed a private "
            "phone number; the anger that followed led software engineer Kelly Ellis to suggest "
            "that women stay off Twitter for a day."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Sources disagree on the day: ABC says Wednesday 11 October and HollywoodLife gives "
            "both 11 and 12 October, while Refinery29, The Hollywood Reporter and Twitter Safety's"
            " statement point to Thursday 12 October (see the dated claims)."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/rose-mcgowan-twitter-suspension-prompts-platform-boycott-call-by-women-1048455",  # noqa: E501
                None,
            ),
            (
                "International Business Times",
                "https://ibtimes.com/womenboycotttwitter-movement-starts-twitter-reaction-rose-mcgowan-account-suspension-2601015",  # noqa: E501
                None,
            ),
            (
                "HollywoodLife, 13 Oct 2017",
                "http://hollywoodlife.com/2017/10/13/what-is-women-boycott-twitter-rose-mcgowan-october-13/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-12-mcgowan-accuses-weinstein-of-rape",
        "date": datetime.date(2017, 10, 12),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-weinstein-reporting",
        "title": "Rose McGowan says Weinstein raped her",
        "summary": (
            "Once she could tweet again, McGowan wrote to Amazon's Jeff Bezos that she had been "
            "raped by 'HW', then told The Hollywood Reporter that 'HW' was Weinstein."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "ABC News",
                "https://abcnews.go.com/amp/US/womenboycotttwitter-movement-gathers-steam-rose-mcgowan-suspended/story?id=50455622",  # noqa: E501
                None,
            ),
            (
                "Radio Times, 13 Oct 2017",
                "https://www.radiotimes.com/movies/harvey-weinstein-police-investigations/",
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-12-police-in-new-york-and-london-look-into-weinstein",
        "date": datetime.date(2017, 10, 12),
        "date_precision": "day",
        "position": 2,
        "chapter": "the-weinstein-reporting",
        "title": "Police in New York and London look into Weinstein",
        "summary": (
            "The NYPD said it was looking for any further complaints, while Scotland Yard said it "
            "was assessing a 1980s sexual-assault allegation referred to it by Merseyside Police."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Guardian, 12 Oct 2017",
                "https://www.theguardian.com/film/2017/oct/12/harvey-weinstein-nypd-and-london-police-investigating-allegations",  # noqa: E501
                None,
            ),
            (
                "Evening Standard",
                "https://standard.co.uk/showbiz/celebrity-news/met-police-investigate-sex-assault-allegation-involving-harvey-weinstein-a3657381.html",  # noqa: E501
                None,
            ),
            ("CBC News", "http://amp.cbc.ca/news/entertainment/weinstein-nypd-1.4351609", None),
        ],
    },
    {
        "slug": "2017-10-12-amazon-suspends-roy-price",
        "date": datetime.date(2017, 10, 12),
        "date_precision": "day",
        "position": 3,
        "chapter": "the-weinstein-reporting",
        "title": "Amazon suspends Roy Price",
        "summary": (
            "Within hours of producer Isa Hackett telling The Hollywood Reporter that Price had "
            "propositioned her, Amazon placed its studio chief on indefinite leave."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/live-feed/amazon-suspends-top-exec-roy-price-wake-harassment-claim-1000036",  # noqa: E501
                None,
            ),
            ("IndieWire", "http://fb.indiewire.com/~r/indieWIRENews/~3/a-cvqA8VjiY/", None),
        ],
    },
    {
        "slug": "2017-10-13-women-boycott-twitter",
        "date": datetime.date(2017, 10, 13),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "Women stay off Twitter for #WomenBoycottTwitter",
        "summary": (
            "In support of Rose McGowan, many women, Alyssa Milano and other well-known names "
            "among them, boycotted Twitter for the day; the boycott hashtag had led Twitter's "
            "trends since the evening before."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Yahoo Style UK",
                "https://uk.style.yahoo.com/thousands-women-reply-alyssa-milanos-metoo-hashtag-encouraging-women-speak-sexual-assault-104346057.html",  # noqa: E501
                YAHOO,
            ),
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
            (
                "ABC News",
                "https://abcnews.go.com/amp/US/womenboycotttwitter-movement-gathers-steam-rose-mcgowan-suspended/story?id=50455622",  # noqa: E501
                None,
            ),
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/news/rose-mcgowan-twitter-suspension-prompts-platform-boycott-call-by-women-1048455",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-13-balancetonporc-launched",
        "date": datetime.date(2017, 10, 13),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-weinstein-reporting",
        "title": "Sandra Muller starts #balancetonporc in France",
        "summary": (
            "French journalist Sandra Muller asked women to name and describe the harassers in "
            "their working lives under #balancetonporc ('squeal on your pig'), and the hashtag "
            "took off over the weekend."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Hypeness (Brazil)",
                "https://www.hypeness.com.br/2017/10/entregue-seu-porco-francesas-criam-campanha-no-twitter-contra-abusos-sexuais/",  # noqa: E501
                None,
            ),
            (
                "Non Stop Zapping",
                "http://www.non-stop-zapping.com/actu/web/balancetonporc-la-journaliste-lorigine-du-hashtag-se-confie-video-64452",  # noqa: E501
                None,
            ),
            (
                "Geo News (geo.tv), 16 Oct 2017",
                "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
                GEO,
            ),
        ],
    },
    {
        "slug": "2017-10-13-quellavoltache-launched",
        "date": datetime.date(2017, 10, 13),
        "date_precision": "day",
        "position": 2,
        "chapter": "the-weinstein-reporting",
        "title": "Giulia Blasi starts #QuellaVoltaChe in Italy",
        "summary": (
            "Writer Giulia Blasi launched #QuellaVoltaChe ('that time when') so that Italian women"
            " could tell of harassment they had kept to themselves, partly in answer to the online"
            " abuse aimed at Asia Argento."
        ),
        "confidence": "medium",
        "confidence_note": (
            "VICE Italia and HuffPost Italia date the launch to 13 October; L'Espresso says 12 "
            "October (see the dated claims)."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "VICE Italia",
                "https://www.vice.com/it/article/quellavoltache-donne-raccontando-abusi-subiti-weinstein-asia-argento/",  # noqa: E501
                None,
            ),
            (
                "HuffPost Italia, 18 Oct 2017",
                "http://www.huffingtonpost.it/2017/10/18/ho-lanciato-quellavoltache-perche-diventi-un-grido-collettivo-contro-i-molestatori-e-chi-li-protegge_a_23247273/",  # noqa: E501
                None,
            ),
            (
                "Adnkronos, 15 Oct 2017",
                "http://adnkronos.com/fatti/cronaca/2017/10/15/quellavoltache-dopo-caso-weinstein-nasce-hashtag-sulle-violenze-taciute_qnx1EsJbN4iT6Bd9SsebmM.html",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-14-womenwhoroar",
        "date": datetime.date(2017, 10, 14),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-weinstein-reporting",
        "title": "Some women choose #WomenWhoRoar over the boycott",
        "summary": (
            "Rather than go quiet for the boycott, Amy Siskind of The New Agenda and others urged "
            "women to speak up under #WomenWhoRoar that weekend; Bustle went on to credit Siskind "
            "and her organisation with starting the 'me too' trend, whereas most outlets credit "
            "Milano."
        ),
        "confidence": "low",
        "confidence_note": (
            "Kept to show that who started the trend was disputed. The credit to Siskind and The "
            "New Agenda comes from Bustle, as reported by Global Citizen (seed 003); most outlets "
            "credit Milano."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Alternative Daily",
                "https://thealternativedaily.com/women-flood-twitter-and-facebook-with-stories-of-sexual-assault/",  # noqa: E501
                None,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
            (
                "Bustle",
                "https://www.bustle.com/p/how-tarana-burke-wants-to-take-metoo-to-the-next-level-2947215/amp",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-14-academy-expels-weinstein",
        "date": datetime.date(2017, 10, 14),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-weinstein-reporting",
        "title": "Weinstein is thrown out of the Academy",
        "summary": (
            "At a Saturday meeting, the board of the body behind the Oscars voted by more than the"
            " two-thirds needed to expel Weinstein, declaring an end to 'willful ignorance' of "
            "sexual predation in the industry."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Us Weekly",
                "http://www.usmagazine.com/celebrity-news/news/film-academy-votes-to-revoke-harvey-weinsteins-membership-w508974",  # noqa: E501
                None,
            ),
            (
                "UPI, 14 Oct 2017",
                "https://www.upi.com/Motion-Picture-Academy-votes-to-expel-Harvey-Weinstein/1981508015172/",  # noqa: E501
                None,
            ),
            (
                "Reuters via InterAksyon",
                "https://media.interaksyon.com/entertainment/2017/10/15/103405/harvey-weinstein-expelled-from-academy-of-motion-picture-arts-and-sciences",  # noqa: E501
                None,
            ),
            (
                "ELLE UK (Louise Donovan)",
                "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
                ELLE,
            ),
            (
                "Geo News (geo.tv), 16 Oct 2017",
                "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
                GEO,
            ),
        ],
    },
    {
        "slug": "2017-10-15-macron-legion-dhonneur",
        "date": datetime.date(2017, 10, 15),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-hashtag-goes-viral",
        "title": "Macron seeks to take back Weinstein's Légion d'honneur",
        "summary": (
            "Interviewed on TF1, Emmanuel Macron said he had set in motion the disciplinary "
            "process that could strip Weinstein of the French honour he was awarded in 2012."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Public Sénat",
                "https://www.publicsenat.fr/actualites/politique/macron-a-engage-les-demarches-pour-faire-retirer-la-legion-d-honneur-a-harvey",  # noqa: E501
                None,
            ),
            (
                "Première",
                "http://premiere.fr/People/News-People/Harvey-Weinstein-pourrait-perdre-sa-Legion-d-honneur",  # noqa: E501
                None,
            ),
            (
                "Europe 1",
                "https://europe1.fr/societe/pour-lelysee-harvey-weinstein-nest-plus-digne-de-porter-sa-legion-dhonneur-3464780",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-15-milano-me-too-tweet",
        "date": datetime.date(2017, 10, 15),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-hashtag-goes-viral",
        "title": "Alyssa Milano asks people to reply 'me too'",
        "summary": (
            "Milano tweeted \"If you've been sexually harassed or assaulted write 'me too' as a "
            'reply to this tweet", with an image of a note a friend had suggested about showing '
            "'the magnitude of the problem'. The day is certain; the hour is not."
        ),
        "confidence": "high",
        "confidence_note": (
            "The day is certain, the time is not. US outlets (TheWrap, CNN, AP) say Sunday "
            "afternoon; The Telegraph gives 9.21pm, which matches 1.21pm Pacific if that was UK "
            "time; the seeds say Sunday night, and Milano recalls tweeting just before bed. The "
            "tweet's status id and URL were not found."
        ),
        "time_note": "afternoon (PT), unconfirmed",
        "is_highlight": True,
        "posts": ["archive-milano-2017-10-15"],
        "sources": [
            (
                "ELLE UK (Louise Donovan)",
                "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
                ELLE,
            ),
            (
                "Geo News (geo.tv), 16 Oct 2017",
                "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
                GEO,
            ),
            (
                "Yahoo Style UK",
                "https://uk.style.yahoo.com/thousands-women-reply-alyssa-milanos-metoo-hashtag-encouraging-women-speak-sexual-assault-104346057.html",  # noqa: E501
                YAHOO,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
            (
                "TheWrap (embeds the tweet dated 15 Oct 2017)",
                "https://www.thewrap.com/alyssa-milano-metoo-victims-sexual-harassment/",
                None,
            ),
            (
                "The Telegraph (Oct 2018 retrospective)",
                "https://telegraph.co.uk/women/life/metoo-founder-tarana-burke-one-year-time-men-got-involved",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-15-thousands-reply-me-too",
        "date": datetime.date(2017, 10, 15),
        "date_precision": "day",
        "position": 2,
        "chapter": "the-hashtag-goes-viral",
        "title": "Thousands answer 'me too', well-known actors among them",
        "summary": (
            "Among the actors who answered or used #MeToo were Lady Gaga, Debra Messing, Gabrielle"
            " Union, Anna Paquin, Evan Rachel Wood and Anika Noni Rose; Jaime King shared hers on "
            "Instagram late in the evening, and many men described their own experiences."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [
            "archive-evanrachelwood-2017-10-15",
            "archive-jaimeking-2017-10-15",
            "archive-hilarieburton-2017-10",
        ],
        "sources": [
            (
                "Yahoo Style UK",
                "https://uk.style.yahoo.com/thousands-women-reply-alyssa-milanos-metoo-hashtag-encouraging-women-speak-sexual-assault-104346057.html",  # noqa: E501
                YAHOO,
            ),
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
            (
                "TheWrap",
                "https://www.thewrap.com/alyssa-milano-metoo-victims-sexual-harassment/",
                None,
            ),
            (
                "NME",
                "https://www.nme.com/news/music/women-world-music-entertainment-share-experience-sexual-harassment-metoo-campaign-2150473",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-15-bjork-describes-harassment",
        "date": datetime.date(2017, 10, 15),
        "date_precision": "day",
        "position": 3,
        "chapter": "the-hashtag-goes-viral",
        "title": "Björk says a Danish director harassed her",
        "summary": (
            "Saying the women speaking out online had encouraged her, Björk wrote on Facebook that"
            " a Danish director she did not name had sexually harassed her; she added detail two "
            "days later, and Lars von Trier rejected the accusation."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "BuzzFeed News, 15 Oct 2017",
                "https://www.buzzfeednews.com/article/remysmidt/bjork-has-spoken-out-about-experiencing-sexual-harassment",  # noqa: E501
                None,
            ),
            (
                "The Fader, 17 Oct 2017",
                "https://www.thefader.com/2017/10/17/bjork-details-sexual-harrassment-danish-director",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-15-burke-tweets-about-origins",
        "date": datetime.date(2017, 10, 15),
        "date_precision": "day",
        "position": 4,
        "chapter": "the-hashtag-goes-viral",
        "title": "Tarana Burke starts tweeting about where 'me too' came from",
        "summary": (
            "As the hashtag spread that night, Burke welcomed what she called 'empowerment through"
            " empathy' and described her ten years of 'me too' work, partly because she feared it "
            "would be written out of the story."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Burke's tweets themselves were not found; they are known from the Washington Post "
            "story as syndicated and from a blog that quotes them."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Washington Post (Abby Ohlheiser), via The Straits Times",
                "https://www.straitstimes.com/lifestyle/entertainment/the-woman-who-started-the-me-too-movement-11-years-ago",  # noqa: E501
                None,
            ),
            (
                "Sabina Becker blog (quotes the tweets)",
                "https://sabinabecker.com/2017/10/thank-you-tarana-burke.html",
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-16-200000-tweets-by-early-monday",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 0,
        "chapter": "the-hashtag-goes-viral",
        "title": "200,000-plus #MeToo tweets before dawn on Monday",
        "summary": (
            "By the small hours of Monday (about 4 a.m. in one report), Twitter and news outlets "
            "had counted over 200,000 tweets using #MeToo, and the phrase had moved on to "
            "Facebook."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Global Citizen (Daniele Selby)",
                "https://www.globalcitizen.org/en/content/harvey-weinstein-metoo-alyssa-milano-sexual-harass/",  # noqa: E501
                GLOBAL_CITIZEN,
            ),
            (
                "CNET (citing the BBC)",
                "https://www.cnet.com/culture/why-youre-seeing-metoo-on-friends-social-media-pages-alyssa-milano/",  # noqa: E501
                None,
            ),
            (
                "ABC News 4",
                "https://abcnews4.com/news/local/actress-alyssa-milanos-metoo-hashtag-taking-social-media-by-storm-overnight",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-16-replies-to-milano-run-into-tens-of-thousands",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 1,
        "chapter": "the-hashtag-goes-viral",
        "title": "Replies to Milano's tweet run into the tens of thousands",
        "summary": (
            "Early reports counted some 25,000 to 31,000 responses; by Monday morning the direct "
            "replies passed 38,000 and by Monday night about 53,000, with tens of thousands of "
            "retweets besides."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Counts grew through the day and outlets measured different things: ELLE UK (seed 000)"
            " says over 25,000 people had posted the words across platforms, Yahoo Style UK (seed "
            "002) counts 31K comments; the later figures come from CNET and an AP story."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "ELLE UK (Louise Donovan)",
                "http://www.elleuk.com/life-and-culture/culture/news/a39309/me-too-hashtag-raise-awareness-sexual-assault/",  # noqa: E501
                ELLE,
            ),
            (
                "Yahoo Style UK",
                "https://uk.style.yahoo.com/thousands-women-reply-alyssa-milanos-metoo-hashtag-encouraging-women-speak-sexual-assault-104346057.html",  # noqa: E501
                YAHOO,
            ),
            (
                "CNET",
                "https://www.cnet.com/culture/why-youre-seeing-metoo-on-friends-social-media-pages-alyssa-milano/",  # noqa: E501
                None,
            ),
            (
                "AP story republished by Self Help Education Arena",
                "http://selfhelpeducationarena.com/me-too-alyssa-milano-elevates-harvey-weinstein-conversation/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-16-half-a-million-tweets-in-a-day",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 2,
        "chapter": "the-hashtag-goes-viral",
        "title": "Twitter counts about half a million #MeToo tweets in a day",
        "summary": (
            "Twitter told reporters that #MeToo appeared in more than 500,000 tweets in the 24 "
            "hours after noon on Sunday."
        ),
        "confidence": "high",
        "confidence_note": (
            "This is Twitter's own figure as reported by several outlets; a higher count published"
            " by E! News for the same window is doubtful (see that event)."
        ),
        "time_note": "",
        "is_highlight": True,
        "posts": [],
        "sources": [
            (
                "680 News, 17 Oct 2017",
                "http://www.680news.com/2017/10/17/45-u-s-facebook-users-know-someone-posted-metoo/",  # noqa: E501
                None,
            ),
            (
                "NBC Washington (AP)",
                "https://nbcwashington.com/news/national-international/metoo-launches-a-viral-womens-movement/2021799/?amp=1",  # noqa: E501
                None,
            ),
            (
                "NYSE Post (citing CNN)",
                "https://nysepost.com/what-is-me-too-on-facebook-twitter-and-why-is-it-trending-363915",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-16-e-news-reports-1-2-million-tweets",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 3,
        "chapter": "the-hashtag-goes-viral",
        "title": "E! News reports 1.2 million #MeToo tweets (a doubtful figure)",
        "summary": (
            "Citing Twitter, E! News said #MeToo had featured in more than 1.2 million tweets "
            "since noon on Sunday, over twice what other outlets had from Twitter for the same "
            "period."
        ),
        "confidence": "low",
        "confidence_note": (
            "Conflicts with Twitter's own figure of about 500,000 for the 24 hours from Sunday "
            "noon, and E! published its count less than 24 hours after that noon."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
        ],
    },
    {
        "slug": "2017-10-16-facebook-figures",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 4,
        "chapter": "the-hashtag-goes-viral",
        "title": "Facebook: 4.7 million people join in within a day",
        "summary": (
            "Within 24 hours, according to Facebook, 4.7 million people worldwide had posted, "
            "commented or reacted in the 'Me Too' conversation more than 12 million times, and "
            "over 45% of its US users were friends with someone who had posted it."
        ),
        "confidence": "high",
        "confidence_note": (
            "The figures were released around 16 to 17 October and agree across AP, 680 News and "
            "Yahoo News. Later retellings that turn them into '12 million people' or '85 million "
            "Facebook posts' are wrong and are not used."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "NBC Washington (AP)",
                "https://nbcwashington.com/news/national-international/metoo-launches-a-viral-womens-movement/2021799/?amp=1",  # noqa: E501
                None,
            ),
            (
                "680 News, 17 Oct 2017",
                "http://www.680news.com/2017/10/17/45-u-s-facebook-users-know-someone-posted-metoo/",  # noqa: E501
                None,
            ),
            (
                "Yahoo News",
                "https://www.yahoo.com/news/metoo-hashtag-reached-nearly-half-facebook-accounts-america-consequences-just-begun-141545258.html",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-16-hashtag-crosses-languages-and-borders",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 5,
        "chapter": "the-hashtag-goes-viral",
        "title": "The hashtag crosses languages and borders",
        "summary": (
            "Spanish speakers took up #YoTambien and French women #balancetonporc, while #MeToo "
            "was reported trending in the UK, the US, India and Pakistan; in Britain, Labour MP "
            "Stella Creasy joined in."
        ),
        "confidence": "medium",
        "confidence_note": (
            "The country trends are reported by ABC News 4, The Alternative Daily and Geo News "
            "(seed 001), without Twitter's own data."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": ["archive-creasy-2017-10-me-too", "archive-creasy-2017-10-reply"],
        "sources": [
            (
                "The Alternative Daily",
                "https://thealternativedaily.com/women-flood-twitter-and-facebook-with-stories-of-sexual-assault/",  # noqa: E501
                None,
            ),
            (
                "ABC News 4",
                "https://abcnews4.com/news/local/actress-alyssa-milanos-metoo-hashtag-taking-social-media-by-storm-overnight",  # noqa: E501
                None,
            ),
            (
                "Geo News (geo.tv), 16 Oct 2017",
                "https://geo.tv/latest/163005-metoo-women-flood-social-media-with-personal-stories-of-assault",  # noqa: E501
                GEO,
            ),
        ],
    },
    {
        "slug": "2017-10-16-milano-credits-tarana-burke",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 6,
        "chapter": "the-hashtag-goes-viral",
        "title": "Milano points to Tarana Burke's earlier 'me too' movement",
        "summary": (
            "On Monday Milano tweeted that she had only just learned of an earlier #MeToo "
            "movement, pointed people to Burke's work and got in touch with her; Burke later said "
            "that was how they first met."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": True,
        "posts": ["archive-milano-2017-10-16"],
        "sources": [
            (
                "E! News (Elyse Dupre), 16 Oct 2017",
                "https://www.eonline.com/news/887214/alyssa-milano-starts-me-too-twitter-movement-to-spread-sexual-assault-and-harassment-awareness",  # noqa: E501
                E_NEWS,
            ),
            (
                "Bustle",
                "https://www.bustle.com/p/how-tarana-burke-wants-to-take-metoo-to-the-next-level-2947215/amp",  # noqa: E501
                None,
            ),
            (
                "News & Guts (Burke's Oct 2018 recollection)",
                "https://www.newsandguts.com/alyssa-milano-shares-personal-message-metoo-moment/amp/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-16-producers-guild-moves-to-expel-weinstein",
        "date": datetime.date(2017, 10, 16),
        "date_precision": "day",
        "position": 7,
        "chapter": "the-hashtag-goes-viral",
        "title": "The Producers Guild moves to expel Weinstein",
        "summary": (
            "The guild's national board voted unanimously to begin proceedings to end Weinstein's "
            "membership, with a final decision due on 6 November, and set up a task force on "
            "sexual harassment."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "TheWrap",
                "https://www.thewrap.com/producers-guild-terminates-harvey-weinsteins-membership-unanimous-vote/",  # noqa: E501
                None,
            ),
            (
                "FOX6 (AP)",
                "https://www.fox6now.com/news/producers-guild-starts-process-to-expel-harvey-weinstein",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-17-weinstein-leaves-company-board",
        "date": datetime.date(2017, 10, 17),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Weinstein gives up his seat on the company board",
        "summary": (
            "The Weinstein Company's board confirmed its 8 October decision to dismiss him, and "
            "Weinstein resigned as a director."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "E! News, 17 Oct 2017",
                "http://eonline.com/news/887581/harvey-weinstein-resigns-from-the-weinstein-company-s-board-of-directors",  # noqa: E501
                None,
            ),
            (
                "CBC News (Reuters)",
                "http://amp.cbc.ca/news/entertainment/harvey-weinstein-resigns-board-1.4359606",
                None,
            ),
            (
                "TMZ",
                "https://www.tmz.com/2017/10/17/harvey-weinstein-resigns-fired-out-twc-sexual-harassment-allegations/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-17-roy-price-resigns",
        "date": datetime.date(2017, 10, 17),
        "date_precision": "day",
        "position": 1,
        "chapter": "spreading-worldwide",
        "title": "Roy Price resigns from Amazon Studios",
        "summary": (
            "Five days after suspending him, Amazon confirmed that Price had resigned, with chief "
            "operating officer Albert Cheng running the studio in the meantime."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Hollywood Reporter",
                "https://www.hollywoodreporter.com/live-feed/roy-price-resigns-as-amazon-studios-head-1049728",  # noqa: E501
                None,
            ),
            (
                "Fox Business (WSJ)",
                "https://www.foxbusiness.com/features/roy-price-resigns-as-head-of-amazon-studios",
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-17-nearly-a-million-tweets-in-48-hours",
        "date": datetime.date(2017, 10, 17),
        "date_precision": "day",
        "position": 2,
        "chapter": "spreading-worldwide",
        "title": "Close to a million #MeToo tweets in two days",
        "summary": (
            "According to the Associated Press, citing Twitter, #MeToo had been used close to a "
            "million times within two days."
        ),
        "confidence": "medium",
        "confidence_note": "A single source: an AP story, known through a republished copy.",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "AP story republished by Self Help Education Arena",
                "http://selfhelpeducationarena.com/me-too-alyssa-milano-elevates-harvey-weinstein-conversation/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-18-mckayla-maroney-metoo",
        "date": datetime.date(2017, 10, 18),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "McKayla Maroney says Larry Nassar abused her",
        "summary": (
            "In a statement on Twitter tagged #MeToo, Olympic gymnast McKayla Maroney said USA "
            "Gymnastics team doctor Larry Nassar had abused her from the age of 13, and stressed "
            "that this was 'not just happening in Hollywood'."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Bustle",
                "https://www.bustle.com/p/mckayla-maroney-shares-her-metoo-story-demands-action-outside-of-hollywood-2938518",  # noqa: E501
                None,
            ),
            (
                "Statesman Journal (USA TODAY Network), 18 Oct 2017",
                "https://www.statesmanjournal.com/story/sports/2017/10/18/mckayla-maroney-says-she-sexually-assaulted-former-msu-and-usa-gymnastics-doctor-larry-nassar-metoo/776125001/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-19-lupita-nyongo-op-ed",
        "date": datetime.date(2017, 10, 19),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Lupita Nyong'o writes about Weinstein's advances",
        "summary": (
            "In a New York Times op-ed, Nyong'o told how Weinstein's advances began in 2011, while"
            " she was a drama student at Yale, and encouraged women to keep speaking up."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Entertainment Weekly, 19 Oct 2017",
                "https://ew.com/movies/2017/10/19/lupita-nyongo-harvey-weinstein-harassment-op-ed/",
                None,
            ),
            (
                "The Week",
                "https://theweek.com/speedreads/732034/lupita-nyongo-details-harvey-weinsteins-inappropriate-advances-toward-oped",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-19-washington-post-profiles-burke",
        "date": datetime.date(2017, 10, 19),
        "date_precision": "day",
        "position": 1,
        "chapter": "spreading-worldwide",
        "title": "The Washington Post tells Burke's story",
        "summary": (
            "Abby Ohlheiser's article, reprinted widely, traced 'Me Too' back to Burke's work in "
            "2006 and reported her fear that the viral hashtag might eclipse what she had built."
        ),
        "confidence": "medium",
        "confidence_note": (
            "Known through reprints (The Straits Times; The News Herald, 21 October); the original"
            " was not retrieved."
        ),
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Straits Times reprint",
                "https://www.straitstimes.com/lifestyle/entertainment/the-woman-who-started-the-me-too-movement-11-years-ago",  # noqa: E501
                None,
            ),
            (
                "The News Herald reprint, 21 Oct 2017",
                "https://www.newsherald.com/story/news/2017/10/21/viral-metoo-movement-actually-started-in-2006/18177580007/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-21-oreilly-32-million-settlement",
        "date": datetime.date(2017, 10, 21),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Bill O'Reilly's $32 million settlement comes to light",
        "summary": (
            "The Times revealed that Bill O'Reilly had paid $32 million in January 2017 to settle "
            "harassment claims by the former Fox News legal analyst Lis Wiehl, weeks before Fox "
            "gave him a new contract."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Chicago Tribune",
                "https://www.chicagotribune.com/nation-world/ct-bill-oreilly-harassment-settlement-20171021-story.html",  # noqa: E501
                None,
            ),
            (
                "Uproxx",
                "https://uproxx.com/culture/gretchen-carlson-bill-oreilly-32-million-nobody",
                None,
            ),
            ("Ad Age", "https://adage.com/article/media/bill-o-reilly-scandal/310988/", None),
        ],
    },
    {
        "slug": "2017-10-22-james-toback-accused",
        "date": datetime.date(2017, 10, 22),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "38 women accuse James Toback",
        "summary": (
            "The Los Angeles Times carried accounts from 38 women who said the writer-director had"
            " sexually harassed them; a day later the reporter said about 200 more had contacted "
            "him. Toback denied the claims."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "CBS New York, 22 Oct 2017",
                "http://newyork.cbslocal.com/2017/10/22/james-toback-sexual-harassment/",
                None,
            ),
            (
                "Los Angeles Times newsletter, 23 Oct 2017",
                "http://www.latimes.com/la-me-todays-headlines-20171023-story.html",
                None,
            ),
            (
                "Pipoca Moderna (embeds Glenn Whipp's tweets)",
                "https://pipocamoderna.com.br/2017/10/mais-de-200-mulheres-acusam-o-diretor-james-toback-de-assedio-inclusive-julianne-moore",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-23-conde-nast-drops-terry-richardson",
        "date": datetime.date(2017, 10, 23),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Condé Nast International stops working with Terry Richardson",
        "summary": (
            "Condé Nast International told its editions in an internal email to stop commissioning"
            " the photographer and to drop his unpublished shoots; the Telegraph reported the "
            "email a day later."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Artforum",
                "https://www.artforum.com/news/fashion-photographer-terry-richardson-banned-from-conde-nast-71849",  # noqa: E501
                None,
            ),
            (
                "WWD, 24 Oct 2017",
                "https://wwd.com/business-news/media/terry-richardson-falls-foul-of-conde-nast-in-the-u-s-and-the-u-k-11034626/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-24-raya-sarkar-list",
        "date": datetime.date(2017, 10, 24),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Raya Sarkar's list names Indian academics",
        "summary": (
            "Prompted by #MeToo, law student Raya Sarkar posted on Facebook a crowdsourced list of"
            " academics said to have sexually harassed students (known as LoSHA), splitting Indian"
            " feminists over naming people without due process."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "University World News",
                "https://www.universityworldnews.com/post.php?story=2017103115371153",
                None,
            ),
            (
                "The New Indian Express, 26 Oct 2017",
                "https://www.newindianexpress.com/nation/2017/oct/26/social-media-divided-over-lawyer-rayasarkars-facebook-post-naming-academics-as-sexual-harassers-1683252.html",  # noqa: E501
                None,
            ),
            (
                "BD24Live (interview)",
                "https://www.bd24live.com/sexual-harassment-by-professors-33-colleges-named-in-raya-sarkars-facebook-post/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-24-heather-lind-george-h-w-bush",
        "date": datetime.date(2017, 10, 24),
        "date_precision": "day",
        "position": 1,
        "chapter": "spreading-worldwide",
        "title": "Heather Lind says George H. W. Bush groped her",
        "summary": (
            "Actress Heather Lind wrote on Instagram that the former president had touched her "
            "from behind while they posed for a photo in 2014; his office apologised the next day."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Us Weekly",
                "https://www.usmagazine.com/celebrity-news/news/george-h-w-bush-apologizes-to-actress-after-sexual-assault-claim/",  # noqa: E501
                None,
            ),
            (
                "The Irish Times",
                "https://www.irishtimes.com/news/world/us/george-h-w-bush-issues-second-apology-after-actor-claims-he-touched-her-1.3269938",  # noqa: E501
                None,
            ),
            (
                "CBS Boston (AP), 25 Oct 2017",
                "http://boston.cbslocal.com/2017/10/25/george-h-w-bush-heather-lind-instagram-touching/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-25-european-parliament-debate",
        "date": datetime.date(2017, 10, 25),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "The European Parliament debates sexual harassment",
        "summary": (
            "During a plenary debate in Strasbourg, some MEPs held up #MeToo signs and told of "
            "their own experiences; a resolution on harassment was voted the following day."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "European Parliament news",
                "http://www.europarl.europa.eu/news/en/headlines/society/20171023STO86603/sexual-harassment-meps-debate-situation-in-the-eu-in-plenary",  # noqa: E501
                None,
            ),
            (
                "POLITICO Europe",
                "https://www.politico.eu/article/european-parliament-metoo-female-meps-tell-of-their-own-sexual-harassment-experiences/",  # noqa: E501
                None,
            ),
            (
                "The Independent, 25 Oct 2017",
                "http://www.independent.co.uk/news/world/europe/metoo-european-parliament-sexual-harassment-eu-meps-harvey-weinstein-terry-reintke-a8019546.html",  # noqa: E501
                None,
            ),
            ("GUE/NGL (resolution vote)", "https://left.eu/?p=5694", None),
        ],
    },
    {
        "slug": "2017-10-25-mark-halperin-accused",
        "date": datetime.date(2017, 10, 25),
        "date_precision": "day",
        "position": 1,
        "chapter": "spreading-worldwide",
        "title": "Five women accuse Mark Halperin",
        "summary": (
            "CNN reported that five women said Halperin had harassed them while he worked at ABC "
            "News; the next day MSNBC and NBC pulled him from the air, and his planned book and "
            "HBO project were cancelled."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Slate",
                "https://slate.com/news-and-politics/2017/10/mark-halperin-leon-wieseltier-accused-of-inappropriate-sexual-workplace-behavior.html",  # noqa: E501
                None,
            ),
            (
                "The Independent (AP), 27 Oct 2017",
                "http://preview.independent.co.uk/news/world/americas/nbc-news-takes-mark-halperin-off-air-after-harassment-claims-a8024171.html",  # noqa: E501
                None,
            ),
            (
                "Townhall, 26 Oct 2017",
                "https://townhall.com/tipsheet/micahrate/2017/10/26/msnbc-suspends-mark-halperin-n2400675",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-27-jackie-speier-metoocongress",
        "date": datetime.date(2017, 10, 27),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Jackie Speier starts #MeTooCongress",
        "summary": (
            "Representative Jackie Speier released a video about being assaulted when she was a "
            "congressional staffer and asked current and former staff to tell their stories under "
            "#MeTooCongress."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "HuffPost",
                "https://www.huffpost.com/entry/jackie-speier-me-too-congress_n_59f3a6e1e4b07fdc5fbe4729",  # noqa: E501
                None,
            ),
            (
                "TIME, 27 Oct 2017",
                "http://time.com/5000282/this-congresswoman-wants-women-on-capitol-hill-to-say-metoo/",  # noqa: E501
                None,
            ),
            (
                "Roll Call",
                "https://rollcall.com/2017/10/27/speier-shares-metoo-story-says-she-was-assaulted-as-hill-staffer/",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-29-anthony-rapp-accuses-kevin-spacey",
        "date": datetime.date(2017, 10, 29),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Actor Anthony Rapp makes an accusation against Kevin Spacey",
        "summary": (
            "BuzzFeed News published Rapp's account of Spacey making a sexual advance on him in "
            "1986, when Rapp was a 14-year-old. Spacey's apology the same night said he had no "
            "memory of it and also announced that he was gay, which drew sharp criticism."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "The Week, 30 Oct 2017",
                "http://theweek.com/10things/726352/10-things-need-know-today-october-30-2017",
                None,
            ),
            (
                "Kansas City Star",
                "http://www.kansascity.com/entertainment/article181646291.html",
                None,
            ),
            (
                "News 5 Cleveland",
                "https://www.news5cleveland.com/news/national/kevin-spacey-responds-to-anthony-rapp-s-allegations-of-sexual-abuse-publicly-comes-out-as-gay",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-30-house-of-cards-to-end",
        "date": datetime.date(2017, 10, 30),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "Netflix says House of Cards will end",
        "summary": (
            "The day after Rapp's account, Netflix said the coming sixth season of House of Cards "
            "would be its last, adding that the decision predated the allegation."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Engadget, 31 Oct 2017",
                "https://www.engadget.com/2017/10/31/netflix-suspends-house-of-cards-production-amid-spacey-allegat/",  # noqa: E501
                None,
            ),
            (
                "Metro News (Canada), 31 Oct 2017",
                "http://www.metronews.ca/entertainment/2017/10/31/netflix-says-it-s-suspending-house-of-cards-production-after-spacey-allegations.html",  # noqa: E501
                None,
            ),
        ],
    },
    {
        "slug": "2017-10-31-house-of-cards-production-suspended",
        "date": datetime.date(2017, 10, 31),
        "date_precision": "day",
        "position": 0,
        "chapter": "spreading-worldwide",
        "title": "House of Cards production is suspended",
        "summary": (
            "Netflix and Media Rights Capital halted filming of the show's sixth season until "
            "further notice while they reviewed the situation and responded to concerns from cast "
            "and crew."
        ),
        "confidence": "high",
        "confidence_note": "",
        "time_note": "",
        "is_highlight": False,
        "posts": [],
        "sources": [
            (
                "Engadget, 31 Oct 2017",
                "https://www.engadget.com/2017/10/31/netflix-suspends-house-of-cards-production-amid-spacey-allegat/",  # noqa: E501
                None,
            ),
            (
                "Chicago Sun-Times",
                "https://chicago.suntimes.com/entertainment/netflix-suspends-production-on-current-season-of-house-of-cards/",  # noqa: E501
                None,
            ),
            (
                "Metro News (Canada)",
                "http://www.metronews.ca/entertainment/2017/10/31/netflix-says-it-s-suspending-house-of-cards-production-after-spacey-allegations.html",  # noqa: E501
                None,
            ),
        ],
    },
]
