from django.contrib import admin

from apps.timeline.models import Chapter, DatedClaim, EventSource, TimelineEvent


class EventSourceInline(admin.TabularInline):
    model = EventSource
    extra = 0
    raw_id_fields = ("article",)


class DatedClaimInline(admin.TabularInline):
    model = DatedClaim
    extra = 0


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
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
