"""The moderation state every public entry carries, and the queryset every public view starts from.

Kept free of model imports so that the archive and timeline apps can build on it without a cycle.
"""

from django.db import models


class ModerationState(models.TextChoices):
    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EntryKind(models.TextChoices):
    """The kinds of entry the archive keeps, as the audit log, the queue and the search index
    name them."""

    POST = "post", "Post"
    ARTICLE = "article", "Article"
    EVENT = "event", "Timeline event"
    ACCOUNT = "account", "Account"
    OUTLET = "outlet", "Outlet"


class HoldReason(models.TextChoices):
    """Why a post or article is kept from publication rules until a curator looks at it."""

    NONE = "", "Not held"
    ACCOUNT_WITHDRAWN = "account_withdrawn", "Its account was withdrawn by a takedown"
    THREAD_WITHDRAWN = "thread_withdrawn", "It answers or quotes a post withdrawn with its thread"
    SOURCE_CHANGED = "source_changed", "Changed at the source after it was published"


class ModeratedQuerySet(models.QuerySet):
    def published(self):
        """The only rows any public page, search, export or API may show."""
        return self.filter(moderation_state=ModerationState.PUBLISHED)

    def pending(self):
        return self.filter(moderation_state=ModerationState.PENDING)

    def withdrawn(self):
        return self.filter(moderation_state=ModerationState.WITHDRAWN)


class Moderated(models.Model):
    """Abstract base: a moderation state with an index, and when it last changed."""

    moderation_state = models.CharField(
        max_length=12,
        choices=ModerationState.choices,
        default=ModerationState.PENDING,
        db_index=True,
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.moderation_state == ModerationState.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        return self.moderation_state == ModerationState.WITHDRAWN
