from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _groups_after_migrate(sender, using="default", **kwargs):
    # Runs after auth has created this app's permissions (its handler was connected first).
    from apps.curation.roles import groups_sync

    if using == "default":
        groups_sync(strict=False)


class CurationConfig(AppConfig):
    name = "apps.curation"
    verbose_name = "Curation"

    def ready(self):
        post_migrate.connect(_groups_after_migrate, sender=self, dispatch_uid="curation-groups")
