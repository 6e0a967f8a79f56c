from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares and nothing else: moderation states and the published querysets,
    how public pages fetch an entry, the public content version and the caches keyed by it.
    It imports no other app."""

    name = "apps.core"
    label = "core"
