"""Curators' view of ingestion: feeds and their health, runs with their failures, captures."""

from django.contrib import admin, messages
from django.utils.html import format_html

from apps.core.models import HostState
from apps.ingest import services
from apps.ingest.models import Feed, IngestFailure, IngestRun, RawCapture


@admin.action(description="Poll now")
def poll_now(modeladmin, request, queryset):
    count = services.feed_poll_soon(feed_ids=list(queryset.values_list("pk", flat=True)))
    modeladmin.message_user(request, f"{count} feed(s) queued for polling.", messages.SUCCESS)


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "name", "format", "active", "health", "last_success_at", "next_poll_at",
        "consecutive_failures", "item_count",
    ]  # fmt: skip
    list_filter = ["active", "format"]
    search_fields = ["name", "url"]
    actions = [poll_now]
    readonly_fields = [
        "etag", "last_modified", "last_polled_at", "last_success_at", "consecutive_failures",
        "last_error", "item_count", "lease_until", "created_at",
    ]  # fmt: skip

    @admin.display(description="Health")
    def health(self, feed):
        return feed.health


class IngestFailureInline(admin.TabularInline):
    model = IngestFailure
    extra = 0
    can_delete = False
    readonly_fields = ["position", "reason", "excerpt"]

    def has_add_permission(self, request, obj=None):
        return False


class RawCaptureInline(admin.TabularInline):
    model = RawCapture
    extra = 0
    can_delete = False
    fields = ["source", "sha256", "size", "compressed_size", "content_path", "fetched_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = [
        "id", "source", "feed", "status", "started_at", "finished_at", "created_count",
        "updated_count", "unchanged_count", "failed_count",
    ]  # fmt: skip
    list_filter = ["status", "format"]
    search_fields = ["source", "error"]
    list_select_related = ["feed"]
    readonly_fields = [f.name for f in IngestRun._meta.fields]
    inlines = [RawCaptureInline, IngestFailureInline]

    def has_add_permission(self, request):
        return False


@admin.register(IngestFailure)
class IngestFailureAdmin(admin.ModelAdmin):
    list_display = ["run", "position", "reason"]
    search_fields = ["reason", "excerpt"]
    readonly_fields = ["run", "position", "reason", "excerpt"]
    list_select_related = ["run"]

    def has_add_permission(self, request):
        return False


@admin.register(RawCapture)
class RawCaptureAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "sha256_short", "size", "compressed_size", "fetched_at"]
    search_fields = ["source", "sha256"]
    readonly_fields = [
        "run", "source", "sha256", "size", "compressed_size", "content_path", "content_type",
        "headers", "status_code", "fetched_at",
    ]  # fmt: skip
    exclude = ["posts", "articles"]

    @admin.display(description="SHA-256")
    def sha256_short(self, capture):
        return format_html("<code title='{}'>{}…</code>", capture.sha256, capture.sha256[:12])

    def has_add_permission(self, request):
        return False


@admin.register(HostState)
class HostStateAdmin(admin.ModelAdmin):
    list_display = ["host", "blocked_until", "last_status"]
