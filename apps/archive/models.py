"""Accounts, posts, outlets and source articles: the evidence the archive keeps."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.urls import reverse

from apps.archive.moments import Moment, TimePrecision, validate_zone_name
from apps.core.moderation import HoldReason, Moderated, ModeratedQuerySet, ModerationState


class Platform(models.TextChoices):
    TWITTER = "twitter", "Twitter/X"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    WEB = "web", "Web"


class NewPseudonym(models.Func):
    """A fresh pseudonym, drawn by the database: "Contributor 9F4C-2A7E-1B03-D6E8".

    The sixteen hex digits are the random bits of a version-4 UUID (``gen_random_uuid()``,
    PostgreSQL's cryptographically strong generator; the version and variant digits are left
    out), so nothing about the account can be worked back from them. It is the column's
    database default, which gives a pseudonym to every new account however it is inserted
    (the ORM, the ingest writer's ``INSERT ... SELECT``, any raw SQL that leaves the column
    out), and to every existing row when the column was added (migration 0005)."""

    template = (
        "('Contributor ' || upper(regexp_replace(gen_random_uuid()::text, "
        "'^(.{4})(.{4})-(.{4})-.{4}-.{4}-(.{4}).{8}$', '\\1-\\2-\\3-\\4')))"
    )
    output_field = models.CharField()


class AccountQuerySet(ModeratedQuerySet):
    def for_listing(self):
        return self.only(
            "id",
            "platform",
            "handle",
            "display_name",
            "is_public_figure",
            "handle_visible",
            "pseudonym",
        )

    def with_public_page(self):
        """Accounts whose page is public (published or withdrawn aside): a private person's
        account has none, since its address is their handle."""
        return self.filter(models.Q(is_public_figure=True) | models.Q(handle_visible=True))


class Account(Moderated):
    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.CharField(max_length=255, help_text="Without the leading @.")
    display_name = models.CharField(max_length=255, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    is_public_figure = models.BooleanField(
        default=False,
        help_text="Public figures' handles are shown; private people get a pseudonym by default.",
    )
    handle_visible = models.BooleanField(
        default=False,
        help_text="A curator allowed this private person's handle to be shown.",
    )
    # Random and stored rather than derived from the handle: a hash of the handle, even a
    # short one, is reversed by hashing a list of handles, and a keyed hash would hang every
    # pseudonym on one more secret that must never leak nor change. 64 random bits make a
    # collision among a million accounts a chance of about 3 in 100 million (n^2 / 2^65), and
    # the unique constraint turns even that into a failed insert rather than two people
    # sharing a name.
    pseudonym = models.CharField(
        max_length=40,
        db_default=NewPseudonym(),
        editable=False,
        help_text="Shown instead of the handle of a private person; random, never changes.",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "handle"], name="account_platform_handle"),
            models.UniqueConstraint(fields=["pseudonym"], name="account_pseudonym"),
        ]
        indexes = [models.Index(Lower("handle"), name="account_handle_lower")]
        ordering = ["platform", "handle"]

    def __str__(self) -> str:
        return f"@{self.handle} ({self.get_platform_display()})"

    def get_absolute_url(self) -> str:
        return reverse("archive:account", args=[self.platform, self.handle])

    @property
    def shows_handle(self) -> bool:
        return self.is_public_figure or self.handle_visible

    @property
    def public_name(self) -> str:
        return f"@{self.handle}" if self.shows_handle else self.pseudonym


def recently_published_index(name: str) -> models.Index:
    """The newest published first, as the feed of newly published entries reads them
    (apps.feeds.entries): fifty rows from an index rather than a sort of every published row."""
    return models.Index(
        models.F("moderated_at").desc(nulls_last=True),
        models.F("id").desc(),
        condition=models.Q(moderation_state=ModerationState.PUBLISHED),
        name=name,
    )


class CuratedFromSource(Moderated):
    """An entry a feed brings and may bring again (a post, an article): what keeps a curator's
    decisions from being undone by the next poll."""

    hold_reason = models.CharField(
        max_length=20,
        choices=HoldReason.choices,
        blank=True,
        default=HoldReason.NONE,
        db_default=HoldReason.NONE,
        help_text="Set, publication rules leave the entry to a curator; the queue shows why.",
    )
    edited_fields = ArrayField(
        models.CharField(max_length=32),
        default=list,
        db_default=Value([], output_field=ArrayField(models.CharField(max_length=32))),
        blank=True,
        help_text="Fields a curator edited: ingestion never overwrites them.",
    )

    class Meta:
        abstract = True


class PostQuerySet(ModeratedQuerySet):
    def for_listing(self):
        return self.select_related("account").only(
            "id",
            "platform",
            "platform_id",
            "text",
            "posted_at",
            "posted_at_precision",
            "posted_at_zone",
            "url",
            "content_warning",
            "moderation_state",
            "account__id",
            "account__platform",
            "account__handle",
            "account__display_name",
            "account__is_public_figure",
            "account__handle_visible",
            "account__pseudonym",
        )


class Post(CuratedFromSource):
    platform = models.CharField(max_length=16, choices=Platform.choices)
    platform_id = models.CharField(max_length=64)
    # The three references below are checked by the database once per statement rather than
    # row by row (migration 0004; a row-level check cost a fifth of the ingestion rate).
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="posts",
        null=True,
        blank=True,
        db_constraint=False,
    )
    text = models.TextField(blank=True)
    media_text = models.TextField(
        blank=True, help_text="Text shown in attached images (e.g. a screenshot of a note)."
    )
    posted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posted_at_precision = models.CharField(
        max_length=6,
        choices=TimePrecision.choices,
        default=TimePrecision.MINUTE,
        db_default=TimePrecision.MINUTE,
        help_text="A post known only to the day is stored at noon UTC and shown without a time.",
    )
    posted_at_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",
        validators=[validate_zone_name],
        help_text='The zone the source gave the time in, e.g. "America/Los_Angeles"; empty: UTC.',
    )
    url = models.URLField(max_length=500, blank=True)
    language = models.CharField(max_length=16, blank=True)
    hashtags = ArrayField(models.CharField(max_length=140), default=list, blank=True)
    mentions = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    in_reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        db_constraint=False,
    )
    in_reply_to_platform_id = models.CharField(max_length=64, blank=True)
    quote_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quoted_by",
        db_constraint=False,
    )
    quote_of_platform_id = models.CharField(max_length=64, blank=True)
    hydrated = models.BooleanField(
        default=True,
        help_text="False for a post known only by its id (e.g. from a published id list).",
    )
    content_warning = models.CharField(
        max_length=200,
        blank=True,
        help_text="When set, public pages keep the text folded until the reader opens it.",
    )
    captured_at = models.DateTimeField(
        null=True, blank=True, help_text="When the archive captured it (latest raw capture)."
    )
    capture_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the raw capture it was read from."
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_id"], name="post_platform_id"),
        ]
        indexes = [recently_published_index("post_recently_published")]
        ordering = ["posted_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} post {self.platform_id}"

    def get_absolute_url(self) -> str:
        return reverse("archive:post", args=[self.pk])

    @property
    def moment(self) -> Moment | None:
        """When it was posted, as every page, export and citation shows it."""
        return Moment.of(
            self.posted_at, zone=self.posted_at_zone, precision=self.posted_at_precision
        )


class OutletQuerySet(ModeratedQuerySet):
    pass


class Outlet(Moderated):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. www.eonline.com")
    homepage = models.URLField(max_length=500, blank=True)

    objects = OutletQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SourceArticleQuerySet(ModeratedQuerySet):
    def for_listing(self):
        return self.select_related("outlet").only(
            "id",
            "title",
            "canonical_url",
            "published_at",
            "date_note",
            "excerpt",
            "outlet__id",
            "outlet__name",
        )


class SourceArticle(CuratedFromSource):
    canonical_url = models.URLField(max_length=1000, unique=True)
    url = models.URLField(max_length=1000, blank=True, help_text="The URL as first found.")
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="articles", null=True, blank=True
    )
    title = models.CharField(max_length=500)
    authors = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    date_note = models.CharField(
        max_length=300, blank=True, help_text="How the date was established, when not printed."
    )
    excerpt = models.TextField(blank=True, help_text="The short passage public pages show.")
    text = models.TextField(blank=True, help_text="Full text, kept for search; not shown.")
    language = models.CharField(max_length=16, blank=True)
    quoted_posts = models.ManyToManyField(Post, blank=True, related_name="quoted_in_articles")
    captured_at = models.DateTimeField(
        null=True, blank=True, help_text="When the archive captured it (latest raw capture)."
    )
    capture_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the raw capture it was read from."
    )

    objects = SourceArticleQuerySet.as_manager()

    class Meta:
        indexes = [recently_published_index("article_recently_published")]
        ordering = ["published_at", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("archive:article", args=[self.pk])
