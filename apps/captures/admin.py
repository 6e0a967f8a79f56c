"""Curators' view of web captures (read-only: a capture is evidence) and watched addresses."""

from django.contrib import admin, messages

from apps.captures import services
from apps.captures.models import CaptureFile, WatchedURL, WebCapture


@admin.action(description="Capture these addresses again")
def capture_again(modeladmin, request, queryset):
    queued = 0
    for capture in queryset.only("url", "article_id", "post_id"):
        services.request_capture(url=capture.url, article=capture.article, post=capture.post)
        queued += 1
    modeladmin.message_user(request, f"{queued} capture(s) queued.", messages.SUCCESS)


class CaptureFileInline(admin.TabularInline):
    model = CaptureFile
    extra = 0
    can_delete = False
    fields = ["kind", "path", "sha256", "size", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebCapture)
class WebCaptureAdmin(admin.ModelAdmin):
    list_display = [
        "id", "url", "status", "origin", "http_status", "captured_at", "resource_count",
        "resources_skipped", "total_bytes", "attempts",
    ]  # fmt: skip
    list_filter = ["status", "origin"]
    search_fields = ["url", "final_url", "title", "url_key"]
    date_hierarchy = "requested_at"
    readonly_fields = [f.name for f in WebCapture._meta.fields]
    inlines = [CaptureFileInline]
    actions = [capture_again]

    def has_add_permission(self, request):
        return False


@admin.register(WatchedURL)
class WatchedURLAdmin(admin.ModelAdmin):
    list_display = [
        "url", "state", "last_status", "moved_to", "checked_at", "state_since",
        "next_check_at", "interval_hours", "failures",
    ]  # fmt: skip
    list_filter = ["state"]
    search_fields = ["url", "moved_to", "url_key"]
    readonly_fields = [
        "url_key", "state", "moved_to", "last_status", "checked_at", "state_since", "failures",
    ]  # fmt: skip
