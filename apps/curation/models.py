"""Curators' decisions: the append-only audit log and the publication rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.curation.states import ModerationState


class EntryKind(models.TextChoices):
    POST = "post", "Post"
    ARTICLE = "article", "Article"
    EVENT = "event", "Timeline event"
    ACCOUNT = "account", "Account"
    OUTLET = "outlet", "Outlet"


class ModerationDecisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Moderation decisions are append-only; they cannot be updated.")

    def delete(self):
        raise TypeError("Moderation decisions are append-only; they cannot be deleted.")

    def for_entry(self, kind: str, entry_id: int):
        return self.filter(entry_kind=kind, entry_id=entry_id).select_related("actor", "rule")


class ModerationDecision(models.Model):
    """One change of an entry's moderation state: who, when, from what to what, and why.

    Append-only: the application never updates or deletes a row (the model and its queryset
    refuse), and a database trigger (migration 0002) refuses it at the SQL level too.
    """

    entry_kind = models.CharField(max_length=10, choices=EntryKind.choices)
    entry_id = models.BigIntegerField()
    from_state = models.CharField(max_length=12, choices=ModerationState.choices)
    to_state = models.CharField(max_length=12, choices=ModerationState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moderation_decisions",
        help_text="Empty when a publication rule decided.",
    )
    rule = models.ForeignKey(
        "curation.PublicationRule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ModerationDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["decided_at", "id"]
        indexes = [models.Index(fields=["entry_kind", "entry_id"], name="decision_entry")]

    def __str__(self) -> str:
        return f"{self.entry_kind} {self.entry_id}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Moderation decisions are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Moderation decisions are append-only; they cannot be deleted.")


class RuleScope(models.TextChoices):
    FEED = "feed", "Everything from this feed"
    ACCOUNT = "account", "Every post by this account"
    OUTLET = "outlet", "Every article from this outlet"


class PublicationRuleQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class PublicationRule(models.Model):
    """A curator's standing decision to publish what a trusted source brings.

    ``target_id`` is the id of an ``ingest.Feed``, ``archive.Account`` or ``archive.Outlet``
    depending on ``scope`` (kept generic so the rule does not tie the apps' migrations together).
    """

    scope = models.CharField(max_length=10, choices=RuleScope.choices)
    target_id = models.BigIntegerField()
    description = models.CharField(
        max_length=300, help_text='Why, e.g. "Trusted outlet" or "Public figure\'s account".'
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PublicationRuleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "target_id"], name="rule_scope_target"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} #{self.target_id}: {self.description}"
