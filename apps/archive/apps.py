from django.apps import AppConfig
from django.urls import register_converter


class ArchiveConfig(AppConfig):
    name = "apps.archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from apps.archive.converters import DatabaseIdConverter

        register_converter(DatabaseIdConverter, "id")
