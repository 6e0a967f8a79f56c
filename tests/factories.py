"""factory_boy factories for the archive's models. Everything is pending unless asked otherwise.

Only the write services keep the search index and the public content version in step (there
are no model signals); factories write through the ORM, so each one does afterwards what a
service would (:func:`public_change`): a published entry made here is searchable at once, and
no cached page shows the archive as it was before. A test that changes a row through the ORM
calls :func:`public_change` itself, or goes through the service.
"""

import datetime

import factory
from django.utils import timezone

from apps.archive.models import Account, Outlet, Platform, Post, SourceArticle
from apps.core.content import content_changed
from apps.core.moderation import ModerationState
from apps.search.indexing import sync_edited
from apps.timeline.models import Chapter, DatedClaim, DatePrecision, EventSource, TimelineEvent

ENTRY_KINDS = {
    Post: "post",
    SourceArticle: "article",
    TimelineEvent: "event",
    Account: "account",
    Outlet: "outlet",
}


def public_change(*rows) -> None:
    """Do what a write service does after it writes these rows: index the entries among them
    (with an account's posts and an outlet's articles) and move the public content version."""
    for row in rows:
        kind = ENTRY_KINDS.get(type(row))
        if kind is None:
            content_changed()
        else:
            sync_edited(kind, [row.pk], fields=[f.name for f in row._meta.concrete_fields])


class PublicContentFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        public_change(row)
        return row


class ModeratedFactory(PublicContentFactory):
    class Meta:
        abstract = True

    moderation_state = ModerationState.PENDING

    class Params:
        published = factory.Trait(moderation_state=ModerationState.PUBLISHED)
        withdrawn = factory.Trait(moderation_state=ModerationState.WITHDRAWN)


class AccountFactory(ModeratedFactory):
    class Meta:
        model = Account

    platform = Platform.TWITTER
    handle = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Faker("name")


class PostFactory(ModeratedFactory):
    class Meta:
        model = Post

    platform = Platform.TWITTER
    platform_id = factory.Sequence(lambda n: str(900000000000000000 + n))
    account = factory.SubFactory(AccountFactory, published=True)
    text = factory.Faker("sentence", nb_words=12)
    posted_at = factory.LazyFunction(
        lambda: datetime.datetime(2017, 10, 16, 9, 30, tzinfo=datetime.UTC)
    )
    language = "en"


class OutletFactory(ModeratedFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("domain",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.Sequence(lambda n: f"outlet-{n}")
    domain = factory.Sequence(lambda n: f"news{n}.example.org")
    moderation_state = ModerationState.PUBLISHED


class SourceArticleFactory(ModeratedFactory):
    class Meta:
        model = SourceArticle

    canonical_url = factory.Sequence(lambda n: f"https://news.example.org/story-{n}")
    outlet = factory.SubFactory(OutletFactory)
    title = factory.Faker("sentence", nb_words=8)
    published_at = factory.LazyFunction(timezone.now)
    excerpt = factory.Faker("sentence", nb_words=20)
    text = factory.Faker("paragraph", nb_sentences=8)


class ChapterFactory(PublicContentFactory):
    class Meta:
        model = Chapter

    slug = factory.Sequence(lambda n: f"chapter-{n}")
    title = factory.Sequence(lambda n: f"Chapter {n}")
    period = "2017"
    position = factory.Sequence(lambda n: n + 100)


class TimelineEventFactory(ModeratedFactory):
    class Meta:
        model = TimelineEvent

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Faker("sentence", nb_words=6)
    summary = factory.Faker("sentence", nb_words=20)
    date = datetime.date(2017, 10, 15)
    date_precision = DatePrecision.DAY
    chapter = factory.SubFactory(ChapterFactory)


class EventSourceFactory(PublicContentFactory):
    class Meta:
        model = EventSource

    event = factory.SubFactory(TimelineEventFactory)
    name = factory.Sequence(lambda n: f"Source {n}")
    url = factory.Sequence(lambda n: f"https://source{n}.example.org/")


class DatedClaimFactory(PublicContentFactory):
    class Meta:
        model = DatedClaim

    event = factory.SubFactory(TimelineEventFactory)
    date = datetime.date(2006, 1, 1)
    date_precision = DatePrecision.YEAR
    source_name = factory.Sequence(lambda n: f"Claimant {n}")
