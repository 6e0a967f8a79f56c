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
    # A pseudonym read in a citation or an export finds its account.
    search_fields = ("handle", "display_name", "pseudonym")
    # Who is shown and how only changes through curation's services, which log it and re-index.
    readonly_fields = (
        "pseudonym", "moderation_state", "moderated_at", "handle_visible", "is_public_figure",
    )  # fmt: skip


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
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
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "moderation_state")
    list_filter = ("moderation_state",)
    search_fields = ("name", "domain")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("moderation_state", "moderated_at")  # changed only through services


@admin.register(SourceArticle)
class SourceArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "published_at", "moderation_state")
    list_filter = ("moderation_state", "outlet", "language")
    search_fields = ("title", "canonical_url", "authors")
    list_select_related = ("outlet",)
    raw_id_fields = ("quoted_posts",)
    date_hierarchy = "published_at"
    # Changed only through services.
    readonly_fields = ("moderation_state", "moderated_at", "hold_reason", "edited_fields")
