"""Keep the index in step with saves and deletes made through the ORM, one entry at a time.

Bulk changes (``QuerySet.update``, ingestion batches, moderation transitions) don't send these
signals; they call :func:`apps.search.indexing.sync_entries` themselves.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from apps.search.indexing import (
    content_changed,
    sync_account_only,
    sync_entries,
    sync_outlet_articles,
)

# Apps whose rows public pages show (entries and their evidence: sources, claims, chapters,
# links between events and posts or articles).
PUBLIC_CONTENT_APPS = frozenset({"archive", "timeline"})

# Fields of an account or outlet that appear in the documents of its posts or articles.
ACCOUNT_FIELDS_IN_POSTS = ("handle", "display_name", "is_public_figure", "handle_visible")
OUTLET_FIELDS_IN_ARTICLES = ("name", "slug")


def _entry_saved(kind):
    def handler(sender, instance, raw=False, **kwargs):
        if raw:  # loaddata: the index is rebuilt afterwards
            return
        sync_entries(kind, [instance.pk])

    return handler


def _entry_deleted(kind):
    def handler(sender, instance, **kwargs):
        sync_entries(kind, [instance.pk])

    return handler


def _remember_old_values(fields):
    def handler(sender, instance, raw=False, **kwargs):
        instance._search_old_values = None
        if raw or instance.pk is None:
            return
        instance._search_old_values = (
            sender.objects.filter(pk=instance.pk).values_list(*fields).first()
        )

    return handler


def _changed(instance, fields) -> bool:
    old = getattr(instance, "_search_old_values", None)
    return old is not None and old != tuple(getattr(instance, f) for f in fields)


def account_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    # sync_entries("account") also re-indexes the account's posts; skip that cost on saves that
    # change nothing the posts' documents contain.
    if created or _changed(instance, ACCOUNT_FIELDS_IN_POSTS):
        sync_entries("account", [instance.pk])
    else:
        sync_account_only([instance.pk])


def outlet_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created and _changed(instance, OUTLET_FIELDS_IN_ARTICLES):
        sync_outlet_articles([instance.pk])


def _shown_publicly(model) -> bool:
    # Migrations' historical models (module "__fake__") may run before the version exists.
    return model._meta.app_label in PUBLIC_CONTENT_APPS and model.__module__ != "__fake__"


def public_content_touched(sender, raw=False, **kwargs):
    """Any save, delete or link change of a model public pages show makes cached fragments
    stale (bulk changes call ``sync_entries``, which does the same)."""
    if not raw and _shown_publicly(sender):
        content_changed()


def m2m_touched(sender, action, **kwargs):
    if action.startswith("post_") and _shown_publicly(sender):
        content_changed()


def connect() -> None:
    from apps.archive.models import Account, Outlet, Post, SourceArticle
    from apps.timeline.models import TimelineEvent

    for model, kind in ((Post, "post"), (SourceArticle, "article"), (TimelineEvent, "event")):
        uid = f"search-{kind}"
        post_save.connect(_entry_saved(kind), sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_entry_deleted(kind), sender=model, weak=False, dispatch_uid=uid)
    pre_save.connect(
        _remember_old_values(ACCOUNT_FIELDS_IN_POSTS),
        sender=Account,
        weak=False,
        dispatch_uid="search-account-old",
    )
    post_save.connect(account_saved, sender=Account, dispatch_uid="search-account")
    post_delete.connect(
        _entry_deleted("account"), sender=Account, weak=False, dispatch_uid="search-account"
    )
    pre_save.connect(
        _remember_old_values(OUTLET_FIELDS_IN_ARTICLES),
        sender=Outlet,
        weak=False,
        dispatch_uid="search-outlet-old",
    )
    post_save.connect(outlet_saved, sender=Outlet, dispatch_uid="search-outlet")
    post_save.connect(public_content_touched, weak=False, dispatch_uid="search-content-saved")
    post_delete.connect(public_content_touched, weak=False, dispatch_uid="search-content-deleted")
    m2m_changed.connect(m2m_touched, weak=False, dispatch_uid="search-content-links")
