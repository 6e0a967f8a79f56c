"""Moderation writes: every change of state goes through here and is logged in the same
transaction, with the search index brought in step before the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from apps.curation.models import EntryKind, ModerationDecision, PublicationRule, RuleScope
from apps.curation.states import ModerationState
from apps.search.indexing import sync_entries


def entry_model(kind: str) -> type[models.Model]:
    from apps.archive.models import Account, Outlet, Post, SourceArticle
    from apps.timeline.models import TimelineEvent

    return {
        EntryKind.POST: Post,
        EntryKind.ARTICLE: SourceArticle,
        EntryKind.EVENT: TimelineEvent,
        EntryKind.ACCOUNT: Account,
        EntryKind.OUTLET: Outlet,
    }[EntryKind(kind)]


def entries_transition(
    *,
    kind: str,
    ids: Iterable[int],
    to_state: str,
    actor=None,
    reason: str = "",
    rule: PublicationRule | None = None,
    from_states: Iterable[str] | None = None,
) -> int:
    """Move entries to ``to_state`` and log one decision per entry that changed.

    Only entries currently in ``from_states`` (default: any other state) change, so running the
    same transition twice logs nothing the second time. Returns how many changed.
    """
    model = entry_model(kind)
    to_state = ModerationState(to_state)
    with transaction.atomic():
        rows = model.objects.select_for_update().filter(pk__in=list(ids))
        if from_states is not None:
            rows = rows.filter(moderation_state__in=list(from_states))
        changes = list(
            rows.exclude(moderation_state=to_state).values_list("pk", "moderation_state")
        )
        if not changes:
            return 0
        changed_ids = [pk for pk, _ in changes]
        model.objects.filter(pk__in=changed_ids).update(
            moderation_state=to_state, moderated_at=timezone.now()
        )
        ModerationDecision.objects.bulk_create(
            ModerationDecision(
                entry_kind=kind,
                entry_id=pk,
                from_state=from_state,
                to_state=to_state,
                actor=actor,
                rule=rule,
                reason=reason,
            )
            for pk, from_state in changes
        )
        sync_entries(kind, changed_ids)
    return len(changes)


def publication_rules_apply(
    *, post_ids: Iterable[int] = (), article_ids: Iterable[int] = (), feed_id: int | None = None
) -> int:
    """Publish the pending entries that an active publication rule covers; log each with its
    rule. Called by ingestion after each batch, and by curators on the existing queue.
    Returns how many entries were published."""
    from apps.archive.models import Post, SourceArticle

    post_ids, article_ids = list(post_ids), list(article_ids)
    published = 0
    rules = PublicationRule.objects.active()
    if feed_id is not None:
        feed_rule = rules.filter(scope=RuleScope.FEED, target_id=feed_id).first()
        if feed_rule is not None:
            published += entries_transition(
                kind=EntryKind.POST, ids=post_ids, to_state=ModerationState.PUBLISHED,
                rule=feed_rule, from_states=[ModerationState.PENDING],
            )  # fmt: skip
            published += entries_transition(
                kind=EntryKind.ARTICLE, ids=article_ids, to_state=ModerationState.PUBLISHED,
                rule=feed_rule, from_states=[ModerationState.PENDING],
            )  # fmt: skip
    for scope, model, kind, ids, field in (
        (RuleScope.ACCOUNT, Post, EntryKind.POST, post_ids, "account_id"),
        (RuleScope.OUTLET, SourceArticle, EntryKind.ARTICLE, article_ids, "outlet_id"),
    ):
        if not ids:
            continue
        pending = model.objects.pending().filter(pk__in=ids)
        targets = set(pending.values_list(field, flat=True))
        for rule in rules.filter(scope=scope, target_id__in=targets):
            covered = pending.filter(**{field: rule.target_id}).values_list("pk", flat=True)
            published += entries_transition(
                kind=kind, ids=covered, to_state=ModerationState.PUBLISHED,
                rule=rule, from_states=[ModerationState.PENDING],
            )  # fmt: skip
    return published
