"""Curators' decisions: the append-only audit log and the publication rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.moderation import EntryKind, ModerationState


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
        # No add/change/delete permissions: nobody may write a decision except through the
        # services. The curator pages check the permissions below; the groups command
        # (``manage.py curation_groups``) hands them out.
        default_permissions = ("view",)
        permissions = [
            ("moderate_entries", "Can approve, reject, warn and hide handles of entries"),
            ("edit_entries", "Can edit posts and articles"),
            ("link_evidence", "Can link posts and articles to timeline events"),
            ("handle_takedowns", "Can review, grant and refuse takedown requests"),
            ("edit_timeline", "Can moderate and edit timeline events"),
            ("manage_rules", "Can create, change and apply publication rules"),
        ]

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


class RuleTrigger(models.TextChoices):
    INGESTION = "ingestion", "At ingestion"
    QUEUE = "queue", "On request, over the existing queue"


class RuleApplication(models.Model):
    """One application of a publication rule that published something (or was asked for)."""

    rule = models.ForeignKey(PublicationRule, on_delete=models.PROTECT, related_name="applications")
    trigger = models.CharField(max_length=10, choices=RuleTrigger.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    published = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-applied_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule}: {self.published} published ({self.get_trigger_display()})"


class BulkActionKind(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BulkAction(models.Model):
    """A curator's approve or reject over a whole filtered queue, done in the background.

    ``filters`` keeps the queue's filter parameters as the curator saw them and ``max_id`` the
    newest entry that existed then, so entries that arrive while it runs are not swept up.
    ``done`` counts processed rows; the progress page reads it.
    """

    action = models.CharField(max_length=10, choices=BulkActionKind.choices)
    entry_kind = models.CharField(max_length=10, choices=EntryKind.choices)
    filters = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    max_id = models.BigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker last saved progress."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.entry_kind}s ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class TakedownState(models.TextChoices):
    RECEIVED = "received", "Received"
    UNDER_REVIEW = "under_review", "Under review"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"


class TakedownRelation(models.TextChoices):
    AUTHOR = "author", "I wrote or posted it"
    SUBJECT = "subject", "I am named, quoted or shown in it"
    REPRESENTATIVE = "representative", "I represent someone it concerns (lawyer, family, agent)"
    OTHER = "other", "Other"


class TakedownRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=[TakedownState.RECEIVED, TakedownState.UNDER_REVIEW])

    def granted(self):
        return self.filter(state=TakedownState.GRANTED)

    def contact_due_for_erasure(self, decided_before):
        """Closed requests decided before ``decided_before`` whose requester's name or email
        address is still kept (an erased request has both blank)."""
        return self.filter(
            state__in=[TakedownState.GRANTED, TakedownState.REFUSED],
            decided_at__lt=decided_before,
        ).exclude(requester_name="", contact="")


class TakedownRequest(models.Model):
    """A request, from anyone, to withdraw an entry: kept for the record whatever its outcome."""

    reference = models.CharField(max_length=20, unique=True)
    entry_url = models.CharField(max_length=1000)
    entry_kind = models.CharField(max_length=10, choices=EntryKind.choices)
    entry_id = models.BigIntegerField()
    requester_name = models.CharField(max_length=200)
    relation = models.CharField(max_length=16, choices=TakedownRelation.choices)
    reason = models.TextField()
    contact = models.CharField(max_length=254, help_text="An email address to answer to.")
    state = models.CharField(
        max_length=12, choices=TakedownState.choices, default=TakedownState.RECEIVED
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    decision_note = models.TextField(blank=True)
    thread_requested = models.BooleanField(
        default=False,
        help_text="The requester asked for the post's replies and quotes to be covered too.",
    )
    covers_thread = models.BooleanField(
        default=False,
        help_text="For a post: replies and quotes of it that arrive later are held for a curator.",
    )

    objects = TakedownRequestQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["entry_kind", "entry_id"], name="takedown_entry")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in (TakedownState.RECEIVED, TakedownState.UNDER_REVIEW)

    @property
    def days_since_receipt(self) -> int:
        return (timezone.now() - self.received_at).days


class SourceRevision(models.Model):
    """A change the source made to an entry after a curator published it.

    Ingestion writes the change to the entry (leaving the fields a curator edited alone), sends
    the entry back to the queue and keeps here what the fields held before and what the source
    now says, so the curator sees what changed and the published wording stays on record.
    """

    entry_kind = models.CharField(max_length=10, choices=EntryKind.choices)
    entry_id = models.BigIntegerField()
    previous = models.JSONField(help_text="The changed fields as they were published.")
    incoming = models.JSONField(help_text="The same fields as the source now has them.")
    captured_at = models.DateTimeField(null=True, blank=True)
    capture_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entry_kind", "entry_id"], name="revision_entry")]

    def __str__(self) -> str:
        return f"{self.entry_kind} {self.entry_id}: {', '.join(sorted(self.incoming))} changed"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, published value, the source's value), by field name."""
        return [
            (name, self.previous.get(name), self.incoming[name]) for name in sorted(self.incoming)
        ]


class SignInAddress(models.Model):
    """An address a person finished signing in from: the password and, where
    ``CURATOR_REQUIRE_2FA`` asks for it, the second factor. The login throttles let these
    addresses through (``apps.curation.auth``), so a password alone must not add one: whoever
    holds a stolen password would otherwise escape the throttles from their own address."""

    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField()
    first_signed_in_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip_address"], name="sign_in_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address}"
