"""Moderation writes: every change of state or edit of an entry goes through here (the curator
pages and the Django admin alike) and is logged in the same transaction, with the search index
and the public content version brought in step, once, before the transaction commits. The
index has no other way in: there are no model signals (see :mod:`apps.search.indexing`)."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.content import content_changed
from apps.core.moderation import EntryKind, HoldReason, ModerationState
from apps.curation.models import (
    BulkAction,
    BulkActionKind,
    JobState,
    ModerationDecision,
    PublicationRule,
    RuleApplication,
    RuleScope,
    RuleTrigger,
    SourceRevision,
    TakedownRequest,
    TakedownState,
)
from apps.search.indexing import sync_edited, sync_entries

logger = logging.getLogger(__name__)


class CurationError(Exception):
    """A curator's request that cannot be carried out; the message is shown to them."""


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
    exclude_held: bool = False,
) -> int:
    """Move entries to ``to_state`` and log one decision per entry that changed.

    Only entries currently in ``from_states`` (default: any other state) change, so running the
    same transition twice logs nothing the second time. With ``exclude_held`` (publication
    rules), posts and articles held for a curator do not change either; a curator's own
    approval or rejection ends the hold. Returns how many changed.
    """
    model = entry_model(kind)
    to_state = ModerationState(to_state)
    holds = kind in HELD_KINDS
    with transaction.atomic():
        rows = model.objects.select_for_update().filter(pk__in=list(ids))
        if from_states is not None:
            rows = rows.filter(moderation_state__in=list(from_states))
        if exclude_held and holds:
            rows = rows.filter(hold_reason=HoldReason.NONE)
        changes = list(
            rows.exclude(moderation_state=to_state).values_list("pk", "moderation_state")
        )
        if not changes:
            return 0
        changed_ids = [pk for pk, _ in changes]
        decided = {}
        if holds and actor is not None and rule is None and to_state in _DECIDED:
            decided["hold_reason"] = HoldReason.NONE
        model.objects.filter(pk__in=changed_ids).update(
            moderation_state=to_state, moderated_at=timezone.now(), **decided
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
        # A state is not part of any other entry's document: an account's posts stay as they are.
        sync_entries(kind, changed_ids, cascade=False)
    return len(changes)


HELD_KINDS = ("post", "article")  # the kinds that carry a hold_reason
_DECIDED = (ModerationState.PUBLISHED, ModerationState.REJECTED)


def publication_rules_apply(
    *,
    post_ids: Iterable[int] = (),
    article_ids: Iterable[int] = (),
    feed_id: int | None = None,
    trigger: str = RuleTrigger.INGESTION,
    actor=None,
) -> int:
    """Publish the pending entries that an active publication rule covers; log each with its
    rule. Called by ingestion after each batch, and by curators on the existing queue.
    Every rule that published something gets a :class:`RuleApplication` row.
    Returns how many entries were published."""
    from apps.archive.models import Post, SourceArticle

    post_ids, article_ids = list(post_ids), list(article_ids)
    per_rule: dict[PublicationRule, int] = {}
    rules = PublicationRule.objects.active()
    with transaction.atomic():
        if feed_id is not None:
            feed_rule = rules.filter(scope=RuleScope.FEED, target_id=feed_id).first()
            if feed_rule is not None:
                per_rule[feed_rule] = entries_transition(
                    kind=EntryKind.POST, ids=post_ids, to_state=ModerationState.PUBLISHED,
                    rule=feed_rule, actor=actor, from_states=[ModerationState.PENDING],
                    exclude_held=True,
                ) + entries_transition(
                    kind=EntryKind.ARTICLE, ids=article_ids, to_state=ModerationState.PUBLISHED,
                    rule=feed_rule, actor=actor, from_states=[ModerationState.PENDING],
                    exclude_held=True,
                )  # fmt: skip
        for scope, model, kind, ids, field in (
            (RuleScope.ACCOUNT, Post, EntryKind.POST, post_ids, "account_id"),
            (RuleScope.OUTLET, SourceArticle, EntryKind.ARTICLE, article_ids, "outlet_id"),
        ):
            if not ids:
                continue
            pending = model.objects.pending().filter(pk__in=ids, hold_reason=HoldReason.NONE)
            targets = set(pending.values_list(field, flat=True))
            for rule in rules.filter(scope=scope, target_id__in=targets):
                covered = pending.filter(**{field: rule.target_id}).values_list("pk", flat=True)
                per_rule[rule] = per_rule.get(rule, 0) + entries_transition(
                    kind=kind, ids=covered, to_state=ModerationState.PUBLISHED,
                    rule=rule, actor=actor, from_states=[ModerationState.PENDING],
                    exclude_held=True,
                )  # fmt: skip
        RuleApplication.objects.bulk_create(
            RuleApplication(rule=rule, trigger=trigger, actor=actor, published=count)
            for rule, count in per_rule.items()
            if count
        )
    return sum(per_rule.values())


# --- what ingestion must not publish ---------------------------------------------------------


def takedowns_in_force() -> bool:
    """Whether any takedown keeps new posts out: a withdrawn account, or a post withdrawn
    with its thread. Called by ingestion in each batch's transaction, after it wrote the batch
    and before any rule runs (two index lookups).

    A grant made while a batch is written cannot slip between the two: writing a post locks its
    account and the post it answers or quotes FOR KEY SHARE until the batch commits (the
    reference check, migration archive 0004), and the grant locks the entry it withdraws FOR
    UPDATE (:func:`entries_transition`). So a grant waits for a batch writing that account's
    or post's replies and then withdraws or holds them too, and a batch waits for a grant and
    then sees it here."""
    from apps.archive.models import Account

    return (
        Account.objects.withdrawn().exists()
        or TakedownRequest.objects.granted().filter(covers_thread=True).exists()
    )


def posts_hold_for_takedowns(*, post_ids: Iterable[int]) -> int:
    """Keep newly arrived posts out of publication where a granted takedown says so, before
    any publication rule sees them: a post of a withdrawn account is withdrawn as it arrives,
    and a post anywhere below a post withdrawn with its thread (a reply to it or a quote of it,
    or of a post that is, and so on) is held for a curator. Set-based: a few statements for a
    whole batch, and one more per level of the threads it extends. Returns how many posts were
    withdrawn or held."""
    from apps.archive.models import Post

    post_ids = list(post_ids)
    pending = Post.objects.pending().filter(pk__in=post_ids, hold_reason=HoldReason.NONE)
    with transaction.atomic():
        of_withdrawn = list(
            pending.filter(account__moderation_state=ModerationState.WITHDRAWN).values_list(
                "pk", flat=True
            )
        )
        if of_withdrawn:
            Post.objects.filter(pk__in=of_withdrawn).update(
                hold_reason=HoldReason.ACCOUNT_WITHDRAWN
            )
            entries_transition(
                kind=EntryKind.POST,
                ids=of_withdrawn,
                to_state=ModerationState.WITHDRAWN,
                reason="Arrived after its account was withdrawn by a takedown",
                from_states=[ModerationState.PENDING],
            )
        roots = set(
            TakedownRequest.objects.granted()
            .filter(entry_kind=EntryKind.POST, covers_thread=True)
            .values_list("entry_id", flat=True)
        )
        held = 0
        if roots:
            held = _posts_hold(_in_threads_of(pending, roots), HoldReason.THREAD_WITHDRAWN)
    return len(of_withdrawn) + held


THREAD_DEPTH_LIMIT = 1_000  # levels of replies and quotes followed up towards a thread's root


def _in_threads_of(posts, roots: set[int]) -> list[int]:
    """The ids of ``posts`` that reply to or quote a post in ``roots``, or a post that does, and
    so on up, whatever became of the posts in between (published, rejected, held or waiting,
    stored in this batch or long ago). Walked up by the parents' platform ids, which a reply
    carries even before its parent is stored: one statement per level for the whole batch."""
    from apps.archive.models import Post

    # (platform, a parent's platform id) -> the posts of ``posts`` below that parent
    below: dict[tuple[str, str], set[int]] = {}
    for pk, platform, *parents in posts.values_list(
        "pk", "platform", "in_reply_to_platform_id", "quote_of_platform_id"
    ):
        for parent in filter(None, parents):
            below.setdefault((platform, parent), set()).add(pk)
    found: set[int] = set()
    # Which of ``posts`` each parent has been looked up for: a post reached again by another
    # path (or round a loop of ids a feed made up) is not walked twice for the same posts.
    walked: dict[tuple[str, str], set[int]] = {}
    for _ in range(THREAD_DEPTH_LIMIT):
        if not below:
            break
        for key, posts_below in below.items():
            walked.setdefault(key, set()).update(posts_below)
        by_platform: dict[str, set[str]] = {}
        for platform, platform_id in below:
            by_platform.setdefault(platform, set()).add(platform_id)
        parents_of = Post.objects.filter(
            reduce(or_, (Q(platform=p, platform_id__in=ids) for p, ids in by_platform.items()))
        ).values_list(
            "pk", "platform", "platform_id", "in_reply_to_platform_id", "quote_of_platform_id"
        )
        above: dict[tuple[str, str], set[int]] = {}
        for pk, platform, platform_id, *parents in parents_of:
            waiting = below[platform, platform_id] - found
            if pk in roots:
                found |= waiting
            elif waiting:
                for parent in filter(None, parents):
                    if unwalked := waiting - walked.get((platform, parent), set()):
                        above.setdefault((platform, parent), set()).update(unwalked)
        below = above
    return list(found)


def _posts_hold(ids: list[int], reason: HoldReason) -> int:
    """Hold pending posts for a curator, with a note in each one's audit log."""
    from apps.archive.models import Post

    ids = list(
        Post.objects.pending()
        .filter(pk__in=ids, hold_reason=HoldReason.NONE)
        .values_list("pk", flat=True)
    )
    Post.objects.filter(pk__in=ids).update(hold_reason=reason)
    ModerationDecision.objects.bulk_create(
        ModerationDecision(
            entry_kind=EntryKind.POST,
            entry_id=pk,
            from_state=ModerationState.PENDING,
            to_state=ModerationState.PENDING,
            reason=f"Held for a curator: {reason.label.lower()}",
        )
        for pk in ids
    )
    return len(ids)


def entries_source_revise(
    *,
    kind: str,
    revisions: list[tuple[int, dict, dict]],
    captured_at: datetime.datetime | None = None,
    capture_sha256: str = "",
) -> int:
    """Send published entries the source changed back to the queue: ingestion has written
    the change (never over a field a curator edited); ``revisions`` holds, per entry, the
    changed fields as they were published and as the source now has them. Each gets a
    :class:`SourceRevision`, a hold (so no rule publishes it again) and an audit row. Returns
    how many entries went back to the queue."""
    model = entry_model(kind)
    by_id = {pk: (previous, incoming) for pk, previous, incoming in revisions}
    if not by_id:
        return 0
    with transaction.atomic():
        SourceRevision.objects.bulk_create(
            SourceRevision(
                entry_kind=kind,
                entry_id=pk,
                previous=previous,
                incoming=incoming,
                captured_at=captured_at,
                capture_sha256=capture_sha256,
            )
            for pk, (previous, incoming) in by_id.items()
        )
        model.objects.filter(pk__in=list(by_id)).update(hold_reason=HoldReason.SOURCE_CHANGED)
        fields = sorted({name for _, incoming in by_id.values() for name in incoming})
        return entries_transition(
            kind=kind,
            ids=list(by_id),
            to_state=ModerationState.PENDING,
            reason=f"Changed at the source ({', '.join(fields)}): back for review",
            from_states=[ModerationState.PUBLISHED],
        )


# --- notes in the audit log -----------------------------------------------------------------


def decision_note(*, kind: str, entry, actor, reason: str) -> ModerationDecision:
    """Log a curator's change that keeps the entry's state (an edit, a warning, a handle shown
    or hidden, evidence linked): the audit log says who did what to which entry and when."""
    return ModerationDecision.objects.create(
        entry_kind=kind,
        entry_id=entry.pk,
        from_state=entry.moderation_state,
        to_state=entry.moderation_state,
        actor=actor,
        reason=reason,
    )


# --- single entries -------------------------------------------------------------------------


def entry_create(*, kind: str, entry, actor) -> None:
    """Save an entry a curator made by hand (the admin's add form, already validated), with a
    note in its audit log. It starts in the state the model gives it (pending: the admin
    cannot choose one)."""
    with transaction.atomic():
        entry.save()
        decision_note(kind=kind, entry=entry, actor=actor, reason="Added by hand")
        sync_edited(kind, [entry.pk], fields=[f.name for f in entry._meta.concrete_fields])


def entry_update(*, kind: str, entry, actor, fields: Iterable[str]) -> None:
    """Save a curator's edit of an entry's ``fields`` (already validated by a form: the curator
    pages' or the admin's) and log which fields changed.

    A post's or article's edited fields are remembered: ingestion never overwrites them, so a
    correction or a redaction survives the next poll of the feed."""
    fields = sorted(set(fields))
    if not fields:
        return
    extra = []
    if kind in HELD_KINDS:
        entry.edited_fields = sorted(set(entry.edited_fields) | set(fields))
        extra = ["edited_fields"]
    with transaction.atomic():
        entry.save(update_fields=[*fields, *extra, "updated_at"])
        decision_note(kind=kind, entry=entry, actor=actor, reason="Edited: " + ", ".join(fields))
        sync_edited(kind, [entry.pk], fields)


def entry_links_update(*, kind: str, entry, actor, links: Iterable[str]) -> None:
    """Log that a curator changed an entry's links or the rows it holds (an event's evidence,
    sources and dated claims; the posts an article quotes), which the admin's forms have just
    saved in the same transaction: none is part of a search document, but the pages that show
    them must not be served from the cache."""
    links = sorted(set(links))
    if not links:
        return
    with transaction.atomic():
        decision_note(kind=kind, entry=entry, actor=actor, reason="Edited: " + ", ".join(links))
        content_changed()


def entries_delete(*, kind: str, ids: Iterable[int], actor) -> int:
    """Delete entries for good (the admin's delete), each noted in the audit log, their index
    rows and every cached page that shows them gone in the same transaction. A takedown
    withdraws instead (:func:`takedown_grant`), keeping the row for the audit. Returns how many
    were deleted."""
    model = entry_model(kind)
    with transaction.atomic():
        entries = list(model.objects.select_for_update().filter(pk__in=list(ids)))
        if not entries:
            return 0
        ModerationDecision.objects.bulk_create(
            ModerationDecision(
                entry_kind=kind,
                entry_id=entry.pk,
                from_state=entry.moderation_state,
                to_state=entry.moderation_state,
                actor=actor,
                reason=f"Deleted: {entry}",
            )
            for entry in entries
        )
        deleted = [entry.pk for entry in entries]
        model.objects.filter(pk__in=deleted).delete()
        sync_entries(kind, deleted)
        # Their links to events (and an outlet's place in its articles' pages) went with them.
        content_changed()
    return len(deleted)


def chapter_save(*, chapter) -> None:
    """Save a chapter of the story (the admin's form, already validated); the pages that show
    it are built again."""
    with transaction.atomic():
        chapter.save()
        content_changed()


def chapter_delete(*, chapter) -> None:
    """Delete a chapter that holds no event (the database refuses one that does)."""
    with transaction.atomic():
        chapter.delete()
        content_changed()


def post_warning_set(*, post_id: int, warning: str, actor) -> None:
    """Set (or, with an empty ``warning``, remove) the content warning that folds a post."""
    from apps.archive.models import Post

    warning = warning.strip()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        if post.content_warning == warning:
            return
        post.content_warning = warning
        post.save(update_fields=["content_warning", "updated_at"])
        reason = f"Content warning set: {warning}" if warning else "Content warning removed"
        decision_note(kind=EntryKind.POST, entry=post, actor=actor, reason=reason)
        sync_entries(EntryKind.POST, [post.pk])


def account_visibility_set(
    *, account_id: int, actor, handle_visible: bool | None = None, is_public_figure=None
) -> None:
    """Show or hide an account's handle on public pages, or mark it a public figure (whose
    handle is always shown). Re-indexes the account's posts, which show its name."""
    from apps.archive.models import Account

    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account_id)
        notes = []
        if handle_visible is not None and account.handle_visible != handle_visible:
            account.handle_visible = handle_visible
            notes.append("Handle shown" if handle_visible else "Handle hidden")
        if is_public_figure is not None and account.is_public_figure != is_public_figure:
            account.is_public_figure = is_public_figure
            notes.append("Marked a public figure" if is_public_figure else "Not a public figure")
        if not notes:
            return
        account.save(update_fields=["handle_visible", "is_public_figure", "updated_at"])
        decision_note(kind=EntryKind.ACCOUNT, entry=account, actor=actor, reason="; ".join(notes))
        sync_entries(EntryKind.ACCOUNT, [account.pk])  # and its posts, once


def evidence_link(*, event_id: int, kind: str, entry_id: int, actor, linked: bool = True) -> None:
    """Link (or unlink) a post or article to a timeline event as evidence."""
    from apps.timeline.models import TimelineEvent

    if kind not in (EntryKind.POST, EntryKind.ARTICLE):
        raise CurationError("Only posts and articles can be evidence for an event.")
    entry = entry_model(kind).objects.get(pk=entry_id)
    with transaction.atomic():
        event = TimelineEvent.objects.select_for_update().get(pk=event_id)
        related = event.posts if kind == EntryKind.POST else event.articles
        already = related.filter(pk=entry_id).exists()
        if linked == already:
            return
        if linked:
            related.add(entry)
        else:
            related.remove(entry)
        verb = "Linked as evidence to" if linked else "Unlinked from"
        decision_note(kind=kind, entry=entry, actor=actor, reason=f"{verb} event {event.slug}")
        # Evidence is part of no search document; only the pages that show it change.
        content_changed()


# --- publication rules ----------------------------------------------------------------------


def publication_rule_create(
    *, scope: str, target_id: int, description: str, actor
) -> PublicationRule:
    from apps.archive.models import Account, Outlet

    scope = RuleScope(scope)
    target_model = {RuleScope.ACCOUNT: Account, RuleScope.OUTLET: Outlet}.get(scope)
    if target_model is not None and not target_model.objects.filter(pk=target_id).exists():
        raise CurationError(f"There is no {scope.label.split()[-1]} with id {target_id}.")
    if PublicationRule.objects.filter(scope=scope, target_id=target_id).exists():
        raise CurationError("A rule for that target already exists; change it instead.")
    return PublicationRule.objects.create(
        scope=scope, target_id=target_id, description=description, created_by=actor
    )


def publication_rule_set_active(*, rule_id: int, active: bool) -> None:
    PublicationRule.objects.filter(pk=rule_id).update(active=active)


def publication_rule_apply_to_queue(*, rule_id: int, actor, chunk_size: int = 1000) -> int:
    """Apply one rule to the entries already waiting in the queue, in chunks (each its own
    transaction, so the queue is never locked for long), and log the application."""
    from apps.archive.models import Post, SourceArticle

    rule = PublicationRule.objects.get(pk=rule_id)
    if not rule.active:
        raise CurationError("This rule is switched off; switch it on before applying it.")
    if rule.scope == RuleScope.FEED:
        # Entries do not record which feed brought them, so a feed rule can only act on what
        # the feed brings from now on.
        raise CurationError("Feed rules apply as the feed's entries arrive, not to the queue.")
    model, kind, field = {
        RuleScope.ACCOUNT: (Post, EntryKind.POST, "account_id"),
        RuleScope.OUTLET: (SourceArticle, EntryKind.ARTICLE, "outlet_id"),
    }[RuleScope(rule.scope)]
    covered = (
        model.objects.pending()
        .filter(**{field: rule.target_id}, hold_reason=HoldReason.NONE)
        .order_by("pk")
    )
    published, last_id = 0, 0
    while True:
        ids = list(covered.filter(pk__gt=last_id).values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        last_id = ids[-1]
        published += entries_transition(
            kind=kind, ids=ids, to_state=ModerationState.PUBLISHED, actor=actor, rule=rule,
            from_states=[ModerationState.PENDING], exclude_held=True,
        )  # fmt: skip
    RuleApplication.objects.create(
        rule=rule, trigger=RuleTrigger.QUEUE, actor=actor, published=published
    )
    return published


# --- bulk actions ---------------------------------------------------------------------------

BULK_STALE_AFTER = datetime.timedelta(minutes=10)
BULK_TARGET_STATE = {
    BulkActionKind.APPROVE: ModerationState.PUBLISHED,
    BulkActionKind.REJECT: ModerationState.REJECTED,
}


# What a curator may reconsider one entry at a time: a rejected entry can still be published and
# a published one rejected (unpublished). Withdrawn entries stay withdrawn: that was a takedown.
RECONSIDERABLE = {
    BulkActionKind.APPROVE: [ModerationState.PENDING, ModerationState.REJECTED],
    BulkActionKind.REJECT: [ModerationState.PENDING, ModerationState.PUBLISHED],
}


def entries_decide(
    *,
    kind: str,
    ids: Iterable[int],
    action: str,
    actor,
    reason: str = "",
    reconsider: bool = False,
) -> int:
    """Approve or reject pending entries (a selection, or one): returns how many changed.
    With ``reconsider``, a rejected entry may be approved and a published one rejected."""
    action = BulkActionKind(action)
    if action == BulkActionKind.REJECT and not reason.strip():
        raise CurationError("Give a reason for rejecting.")
    return entries_transition(
        kind=kind,
        ids=ids,
        to_state=BULK_TARGET_STATE[action],
        actor=actor,
        reason=reason.strip(),
        from_states=RECONSIDERABLE[action] if reconsider else [ModerationState.PENDING],
    )


def _bulk_targets(*, action: str, kind: str, queryset):
    """The entries a bulk action over the filtered queue reaches. A bulk approval passes over
    held entries (changed at the source after publication, or answering a post withdrawn with
    its thread): they wait for a curator to open them one by one."""
    if action == BulkActionKind.APPROVE and kind in HELD_KINDS:
        return queryset.filter(hold_reason=HoldReason.NONE)
    return queryset


def bulk_action_start(*, action: str, kind: str, filters: dict, reason: str, actor) -> BulkAction:
    """Record an approve/reject over the whole filtered queue and hand it to a worker.

    The filters must already be valid (the view checks): an invalid filter silently dropped
    would widen the action to the whole queue.
    """
    from apps.curation.filters import queue_filterset

    if action == BulkActionKind.REJECT and not reason.strip():
        raise CurationError("Give a reason for rejecting.")
    filterset = queue_filterset(kind, filters)
    if not filterset.is_valid():
        raise CurationError("Fix the queue's filters before acting on all of it.")
    queryset = _bulk_targets(action=action, kind=kind, queryset=filterset.qs)
    with transaction.atomic():
        job = BulkAction.objects.create(
            action=BulkActionKind(action),
            entry_kind=kind,
            filters={key: value for key, value in filterset.form.data.items() if value},
            reason=reason.strip(),
            actor=actor,
            max_id=queryset.order_by("-pk").values_list("pk", flat=True).first() or 0,
            total=queryset.count(),
        )
        transaction.on_commit(lambda: bulk_action_enqueue(job_id=job.pk))
    return job


def bulk_action_enqueue(*, job_id: int) -> bool:
    """Hand a recorded bulk action to a worker. If the broker cannot be reached the job is
    marked failed with the reason, for the progress page to show and offer to run it again."""
    from apps.curation.tasks import run_bulk_action

    try:
        run_bulk_action.delay(job_id)
    except Exception as exc:  # the broker's errors vary with the transport
        logger.exception("could not enqueue bulk action %s", job_id)
        BulkAction.objects.filter(pk=job_id, state=JobState.QUEUED).update(
            state=JobState.FAILED, error=f"The task queue could not be reached ({exc})"[:2000]
        )
        return False
    return True


def bulk_action_run(
    *, job_id: int, chunk_size: int = 1000, resume: bool = False
) -> BulkAction | None:
    """Carry out a recorded bulk action in chunks of ``chunk_size``, each in its own
    transaction through :func:`entries_transition`, saving progress after each chunk.

    Claims the job with a conditional update (queued or failed -> running), so a redelivered
    message does nothing while another worker runs it; a job whose worker died (no progress
    saved for ``BULK_STALE_AFTER``) can be claimed again by the redelivered message. Running a
    job again is safe: entries already decided are no longer pending, so they are skipped.
    ``resume`` is for the task's own retry after the database went away: the job it left
    "running" (it could not record the failure) is its own, so it takes it at once.
    """
    from apps.curation.filters import queue_filterset

    now = timezone.now()
    claimable = Q(state__in=[JobState.QUEUED, JobState.FAILED]) | Q(
        state=JobState.RUNNING, heartbeat_at__lt=now - BULK_STALE_AFTER
    )
    if resume:
        claimable |= Q(state=JobState.RUNNING)
    claimed = BulkAction.objects.filter(claimable, pk=job_id).update(
        state=JobState.RUNNING, error="", heartbeat_at=now
    )
    if not claimed:
        return None
    job = BulkAction.objects.get(pk=job_id)
    queryset = _bulk_targets(
        action=job.action,
        kind=job.entry_kind,
        queryset=queue_filterset(job.entry_kind, job.filters).qs,
    ).filter(pk__lte=job.max_id)
    last_id = 0
    try:
        while True:
            ids = list(queryset.filter(pk__gt=last_id).values_list("pk", flat=True)[:chunk_size])
            if not ids:
                break
            last_id = ids[-1]
            # The decisions and the progress that counts them commit together: a job cut off
            # between the two (the database gone) would resume past entries it never counted.
            with transaction.atomic():
                changed = entries_decide(
                    kind=job.entry_kind, ids=ids, action=job.action, actor=job.actor,
                    reason=job.reason or f"Bulk {job.get_action_display().lower()} #{job.pk}",
                )  # fmt: skip
                BulkAction.objects.filter(pk=job.pk).update(
                    done=job.done + len(ids),
                    changed=job.changed + changed,
                    heartbeat_at=timezone.now(),
                )
            job.done += len(ids)
            job.changed += changed
    except Exception as exc:
        BulkAction.objects.filter(pk=job.pk).update(
            state=JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    BulkAction.objects.filter(pk=job.pk).update(
        state=JobState.DONE, done=job.done, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# --- takedown and consent requests ----------------------------------------------------------


def _takedown_reference() -> str:
    import secrets

    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone
    return "TD-" + "".join(secrets.choice(alphabet) for _ in range(8))


def takedown_submit(
    *,
    entry_url: str,
    entry_kind: str,
    entry_id: int,
    requester_name: str,
    relation: str,
    reason: str,
    contact: str,
    thread_requested: bool = False,
) -> TakedownRequest:
    """File a visitor's takedown or consent request, with a fresh reference number."""
    with transaction.atomic():
        reference = _takedown_reference()
        while TakedownRequest.objects.filter(reference=reference).exists():
            reference = _takedown_reference()
        return TakedownRequest.objects.create(
            reference=reference,
            entry_url=entry_url,
            entry_kind=entry_kind,
            entry_id=entry_id,
            requester_name=requester_name,
            relation=relation,
            reason=reason,
            contact=contact,
            thread_requested=thread_requested and entry_kind == EntryKind.POST,
        )


DECISION_FIELDS = ["state", "review_started_at", "decided_at", "decided_by", "decision_note"]


def _open_takedown(request_id: int) -> TakedownRequest:
    takedown = TakedownRequest.objects.select_for_update().get(pk=request_id)
    if not takedown.is_open:
        raise CurationError(f"{takedown.reference} was already {takedown.get_state_display()}.")
    return takedown


def takedown_review_start(*, request_id: int, actor) -> TakedownRequest:
    with transaction.atomic():
        takedown = _open_takedown(request_id)
        if takedown.state == TakedownState.RECEIVED:
            takedown.state = TakedownState.UNDER_REVIEW
            takedown.review_started_at = timezone.now()
            takedown.save(update_fields=["state", "review_started_at"])
        return takedown


def takedown_grant(
    *, request_id: int, actor, note: str = "", covers_thread: bool = False
) -> TakedownRequest:
    """Grant a request: withdraw the entry everywhere in this one transaction.

    The entry's state becomes ``withdrawn`` through :func:`entries_transition`, which logs the
    decision and drops it from the search index before commit; public querysets (pages, the
    timeline, exports, citations) only ever show published entries, and its page answers 410.
    Its row and raw capture stay for the audit. Withdrawing an account withdraws its posts too,
    switches off the publication rules that publish it (its account rule, the rules of feeds
    that bring only its posts), and its later posts arrive withdrawn. With ``covers_thread``
    (a post's request that says so), replies and quotes of the post waiting in the queue, and
    those that arrive later, are held for a curator.
    """
    with transaction.atomic():
        takedown = _open_takedown(request_id)
        reason = f"Takedown {takedown.reference} granted" + (f": {note}" if note else "")
        entries_transition(
            kind=takedown.entry_kind,
            ids=[takedown.entry_id],
            to_state=ModerationState.WITHDRAWN,
            actor=actor,
            reason=reason,
        )
        if takedown.entry_kind == EntryKind.ACCOUNT:
            from apps.archive.models import Post

            entries_transition(
                kind=EntryKind.POST,
                ids=Post.objects.filter(account_id=takedown.entry_id).values_list("pk", flat=True),
                to_state=ModerationState.WITHDRAWN,
                actor=actor,
                reason=reason,
            )
            _account_rules_switch_off(account_id=takedown.entry_id, actor=actor, reason=reason)
        now = timezone.now()
        takedown.state = TakedownState.GRANTED
        takedown.review_started_at = takedown.review_started_at or now
        takedown.decided_at = now
        takedown.decided_by = actor
        takedown.decision_note = note
        takedown.covers_thread = covers_thread and takedown.entry_kind == EntryKind.POST
        takedown.save(update_fields=[*DECISION_FIELDS, "covers_thread"])
        if takedown.covers_thread:
            _posts_hold(_thread_of(takedown.entry_id), HoldReason.THREAD_WITHDRAWN)
        return takedown


THREAD_LIMIT = 10_000  # replies and quotes followed from a post withdrawn with its thread


def _thread_of(post_id: int) -> list[int]:
    """The ids of the posts that reply to or quote the post, and so on down (at most
    THREAD_LIMIT): one indexed statement per level."""
    from apps.archive.models import Post

    found: set[int] = set()
    level = {post_id}
    while level and len(found) < THREAD_LIMIT:
        level = set(
            Post.objects.filter(Q(in_reply_to_id__in=level) | Q(quote_of_id__in=level))
            .exclude(pk__in=found | {post_id})
            .values_list("pk", flat=True)[:THREAD_LIMIT]
        )
        found |= level
    return list(found)


def _account_rules_switch_off(*, account_id: int, actor, reason: str) -> None:
    """Switch off the active rules that would publish a withdrawn account's posts: its account
    rule, and the rules of feeds that brought its posts and nobody else's (its own feed). Each
    is noted in the account's audit log."""
    from apps.archive.models import Account
    from apps.ingest.models import CapturedPost

    rules = PublicationRule.objects.active()
    feed_rules = dict(rules.filter(scope=RuleScope.FEED).values_list("target_id", "pk"))
    its_feeds = set(
        CapturedPost.objects.filter(
            post__account_id=account_id, capture__run__feed_id__in=list(feed_rules)
        )
        .values_list("capture__run__feed_id", flat=True)
        .distinct()
    )
    shared_feeds = set(
        CapturedPost.objects.filter(capture__run__feed_id__in=list(its_feeds))
        .exclude(post__account_id=account_id)
        .values_list("capture__run__feed_id", flat=True)
        .distinct()
    )
    own_feeds = list(its_feeds - shared_feeds)
    switched = list(
        rules.filter(
            Q(scope=RuleScope.ACCOUNT, target_id=account_id)
            | Q(scope=RuleScope.FEED, target_id__in=own_feeds)
        )
    )
    if not switched:
        return
    PublicationRule.objects.filter(pk__in=[rule.pk for rule in switched]).update(active=False)
    state = Account.objects.values_list("moderation_state", flat=True).get(pk=account_id)
    logger.info(
        "takedown: publication rules %s switched off (%s)", [r.pk for r in switched], reason
    )
    ModerationDecision.objects.bulk_create(
        ModerationDecision(
            entry_kind=EntryKind.ACCOUNT,
            entry_id=account_id,
            from_state=state,
            to_state=state,
            actor=actor,
            reason=f"{reason}; publication rule #{rule.pk} switched off: {rule}",
        )
        for rule in switched
    )


def takedown_refuse(*, request_id: int, actor, note: str) -> TakedownRequest:
    if not note.strip():
        raise CurationError("Say why the request is refused: the requester will be told.")
    with transaction.atomic():
        takedown = _open_takedown(request_id)
        now = timezone.now()
        takedown.state = TakedownState.REFUSED
        takedown.review_started_at = takedown.review_started_at or now
        takedown.decided_at = now
        takedown.decided_by = actor
        takedown.decision_note = note.strip()
        takedown.save(update_fields=DECISION_FIELDS)
        return takedown


def takedown_contacts_erase(*, now: datetime.datetime | None = None) -> int:
    """Blank the requester's name and email address of requests closed longer ago than
    ``TAKEDOWN_CONTACT_RETENTION_DAYS``: they were kept to answer the requester, and the record
    of what was decided (state, dates, who, note, the reason given) stays. Returns how many."""
    from django.conf import settings

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.TAKEDOWN_CONTACT_RETENTION_DAYS)
    with transaction.atomic():
        due = TakedownRequest.objects.contact_due_for_erasure(cutoff).select_for_update(
            skip_locked=True
        )
        erased = dict(due.values_list("pk", "reference"))
        TakedownRequest.objects.filter(pk__in=erased).update(requester_name="", contact="")
    if erased:
        logger.info(
            "erased the contact details of %d closed takedown request(s): %s",
            len(erased),
            ", ".join(sorted(erased.values())),
        )
    return len(erased)


# --- web captures of a post's links ---------------------------------------------------------

_LINK = re.compile(r"https?://[^\s<>\"'“”‘’]+", re.IGNORECASE)
_CLOSING = {")": "(", "]": "["}
_TRAILING = ".,;:!?…"


def post_links(text: str) -> list[str]:
    """The http(s) links written in a post's text, in order, each once: what a curator may ask
    to capture. Punctuation that ends the sentence is not part of the address ("see
    https://example.org/a." links to /a); a closing bracket is, when the address opened it."""
    validate = URLValidator(schemes=["http", "https"])
    links = []
    for match in _LINK.finditer(text or ""):
        link = match.group().rstrip(_TRAILING)
        while link[-1:] in _CLOSING and link.count(link[-1]) > link.count(_CLOSING[link[-1]]):
            link = link[:-1].rstrip(_TRAILING)
        try:
            validate(link)
        except ValidationError:
            continue
        if link not in links:
            links.append(link)
    return links


def post_link_capture(*, post_id: int, url: str, actor):
    """Queue a web capture of a link a curator chose in a post (it documents the post, and is
    public when the post is), noted in the post's audit log. Only a link written in the post's
    own text is accepted, and a withdrawn post gets no new capture. Returns the capture (an
    already queued or running capture of the address, if there is one)."""
    from apps.archive.models import Post
    from apps.captures.services import CaptureRequestError, request_capture

    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        if post.moderation_state == ModerationState.WITHDRAWN:
            raise CurationError("This post was withdrawn: nothing more of it is archived.")
        if url not in post_links(post.text):
            raise CurationError("Only a link written in the post can be captured.")
        try:
            capture = request_capture(url=url, post=post)
        except CaptureRequestError as exc:
            raise CurationError(f"That link cannot be captured: {exc}.") from exc
        decision_note(kind=EntryKind.POST, entry=post, actor=actor, reason=f"Capture asked: {url}")
    return capture
