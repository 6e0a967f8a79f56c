from django.contrib import admin

from apps.archive.models import Account, Outlet, Post, SourceArticle


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "handle",
        "platform",
        "display_name",
        "is_public_figure",
        "handle_visible",
        "moderation_state",
    )
    list_filter = ("platform", "moderation_state", "is_public_figure", "handle_visible")
    search_fields = ("handle", "display_name")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("platform_id", "platform", "account", "posted_at", "moderation_state")
    list_filter = ("platform", "moderation_state", "hydrated", "language")
    search_fields = ("platform_id", "text", "account__handle")
    list_select_related = ("account",)
    raw_id_fields = ("account", "in_reply_to", "quote_of")
    date_hierarchy = "posted_at"


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "moderation_state")
    list_filter = ("moderation_state",)
    search_fields = ("name", "domain")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(SourceArticle)
class SourceArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "published_at", "moderation_state")
    list_filter = ("moderation_state", "outlet", "language")
    search_fields = ("title", "canonical_url", "authors")
    list_select_related = ("outlet",)
    raw_id_fields = ("quoted_posts",)
    date_hierarchy = "published_at"
