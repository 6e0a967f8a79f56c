"""The Django admin: the archive's entries and the story, curation records, users.

Entries (posts, articles, accounts, outlets, timeline events with their sources and dated
claims) and chapters are registered here, not in their own apps, because every save and delete
goes through curation's services: logged in the audit, a post's or article's edited fields
kept from the next poll, the search index and the cached pages brought in step once. The audit
log and takedown outcomes are read-only here."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import models
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core.moderation import EntryKind
from apps.curation import services
from apps.curation.models import (
    BulkAction,
    ModerationDecision,
    PublicationRule,
    RuleApplication,
    SignInAddress,
    TakedownRequest,
)
from apps.timeline.models import Chapter, DatedClaim, EventSource, TimelineEvent

# --- entries --------------------------------------------------------------------------------


class EntryAdmin(admin.ModelAdmin):
    """Saves and deletes through the services. A change's own fields are saved in
    ``save_model``; its links and inline rows are written by Django's forms in
    ``save_related``, then logged (and the cached pages refreshed) through the services, in
    the same transaction (the admin's)."""

    entry_kind: str
    # Addresses typed without a scheme are taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if not change:
            services.entry_create(kind=self.entry_kind, entry=obj, actor=request.user)
            return
        links = {field.name for field in obj._meta.many_to_many}
        services.entry_update(
            kind=self.entry_kind,
            entry=obj,
            actor=request.user,
            fields=[name for name in form.changed_data if name not in links],
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        links = {field.name for field in form.instance._meta.many_to_many}
        services.entry_links_update(
            kind=self.entry_kind,
            entry=form.instance,
            actor=request.user,
            links=[name for name in form.changed_data if name in links]
            + [str(fs.model._meta.verbose_name_plural) for fs in formsets if fs.has_changed()],
        )

    def delete_model(self, request, obj):
        services.entries_delete(kind=self.entry_kind, ids=[obj.pk], actor=request.user)

    def delete_queryset(self, request, queryset):
        services.entries_delete(
            kind=self.entry_kind, ids=queryset.values_list("pk", flat=True), actor=request.user
        )


@admin.register(Account)
class AccountAdmin(EntryAdmin):
    entry_kind = EntryKind.ACCOUNT
    list_display = (
        "handle",
        "platform",
        "display_name",
        "is_public_figure",
        "handle_visible",
        "moderation_state",
    )
    list_filter = ("platform", "moderation_state", "is_public_figure", "handle_visible")
    # A pseudonym read in a citation or an export finds its account.
    search_fields = ("handle", "display_name", "pseudonym")
    # Who is shown and how only changes through curation's services, which log it and re-index.
    readonly_fields = (
        "pseudonym", "moderation_state", "moderated_at", "handle_visible", "is_public_figure",
    )  # fmt: skip


@admin.register(Post)
class PostAdmin(EntryAdmin):
    entry_kind = EntryKind.POST
    list_display = ("platform_id", "platform", "account", "posted", "moderation_state")
    list_filter = ("platform", "moderation_state", "hydrated", "language")
    search_fields = ("platform_id", "text", "account__handle")
    list_select_related = ("account",)
    raw_id_fields = ("account", "in_reply_to", "quote_of")
    date_hierarchy = "posted_at"
    # Changed only through curation's services (post_warning_set folds or unfolds the text).
    readonly_fields = (
        "moderation_state", "moderated_at", "content_warning", "hold_reason", "edited_fields",
    )  # fmt: skip

    @admin.display(description="Posted", ordering="posted_at")
    def posted(self, post: Post):
        return post.moment or "—"


@admin.register(Outlet)
class OutletAdmin(EntryAdmin):
    entry_kind = EntryKind.OUTLET
    list_display = ("name", "domain", "moderation_state")
    list_filter = ("moderation_state",)
    search_fields = ("name", "domain")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("moderation_state", "moderated_at")  # changed only through services


@admin.register(SourceArticle)
class SourceArticleAdmin(EntryAdmin):
    entry_kind = EntryKind.ARTICLE
    list_display = ("title", "outlet", "published_at", "moderation_state")
    list_filter = ("moderation_state", "outlet", "language")
    search_fields = ("title", "canonical_url", "authors")
    list_select_related = ("outlet",)
    raw_id_fields = ("quoted_posts",)
    date_hierarchy = "published_at"
    # Changed only through services.
    readonly_fields = ("moderation_state", "moderated_at", "hold_reason", "edited_fields")


class EventSourceInline(admin.TabularInline):
    model = EventSource
    extra = 0
    formfield_overrides = EntryAdmin.formfield_overrides
    raw_id_fields = ("article",)


class DatedClaimInline(admin.TabularInline):
    model = DatedClaim
    extra = 0
    formfield_overrides = EntryAdmin.formfield_overrides


@admin.register(TimelineEvent)
class TimelineEventAdmin(EntryAdmin):
    entry_kind = EntryKind.EVENT
    list_display = (
        "title",
        "date",
        "date_precision",
        "chapter",
        "confidence",
        "is_highlight",
        "moderation_state",
    )
    list_filter = ("chapter", "date_precision", "confidence", "moderation_state", "is_highlight")
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("posts", "articles")
    list_select_related = ("chapter",)
    date_hierarchy = "date"
    inlines = [EventSourceInline, DatedClaimInline]
    readonly_fields = ("moderation_state", "moderated_at")  # changed only through services


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("position", "title", "period")
    list_display_links = ("title",)
    ordering = ("position",)

    def save_model(self, request, obj, form, change):
        services.chapter_save(chapter=obj)

    def delete_model(self, request, obj):
        services.chapter_delete(chapter=obj)

    def delete_queryset(self, request, queryset):
        for chapter in queryset:
            services.chapter_delete(chapter=chapter)


# --- curation records -----------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    list_display = (
        "decided_at",
        "entry_kind",
        "entry_id",
        "from_state",
        "to_state",
        "actor",
        "rule",
    )
    list_filter = ("entry_kind", "to_state")
    search_fields = ("=entry_id", "reason", "actor__username")
    list_select_related = ("actor", "rule")
    date_hierarchy = "decided_at"
    actions = None


@admin.register(RuleApplication)
class RuleApplicationAdmin(ReadOnlyAdmin):
    list_display = ("applied_at", "rule", "trigger", "actor", "published")
    list_select_related = ("rule", "actor")
    actions = None


@admin.register(BulkAction)
class BulkActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "entry_kind", "actor", "state", "done", "total")
    list_filter = ("state", "action", "entry_kind")
    list_select_related = ("actor",)
    actions = None


@admin.register(TakedownRequest)
class TakedownRequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "entry_kind", "entry_id", "state", "received_at", "decided_at")
    list_filter = ("state", "entry_kind", "relation")
    search_fields = ("reference", "requester_name", "contact")
    actions = None


@admin.register(PublicationRule)
class PublicationRuleAdmin(admin.ModelAdmin):
    list_display = ("scope", "target_id", "description", "active", "created_by", "created_at")
    list_filter = ("scope", "active")
    readonly_fields = ("created_by", "created_at")
    # A rule with decisions is part of the audit trail (PROTECT); switch it off instead.
    actions = None


class SuperuserOnlyChanges:
    """Who may do what is the site owner's to say: only a superuser adds, changes or deletes
    users, groups and second-factor devices here, whatever permissions staff hold. A group
    allowed to change users could otherwise make its members superusers, and one allowed to
    change groups could give itself every permission. Staff with the view permission may look.
    """

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class CuratorUserAdmin(SuperuserOnlyChanges, UserAdmin):
    pass


class CuratorGroupAdmin(SuperuserOnlyChanges, GroupAdmin):
    pass


class CuratorTOTPDeviceAdmin(SuperuserOnlyChanges, TOTPDeviceAdmin):
    pass


for _model, _admin in (
    (get_user_model(), CuratorUserAdmin),
    (Group, CuratorGroupAdmin),
    (TOTPDevice, CuratorTOTPDeviceAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(SignInAddress)
class SignInAddressAdmin(SuperuserOnlyChanges, admin.ModelAdmin):
    """Addresses the login throttles let through for a person (a sign-in finished from there).
    Deleting one (a laptop lost, a shared office left) makes that address a stranger again."""

    list_display = ("username", "ip_address", "first_signed_in_at")
    search_fields = ("username", "ip_address")
    readonly_fields = ("username", "ip_address", "first_signed_in_at")

    def has_add_permission(self, request, *args):
        return False  # only a finished sign-in adds one
