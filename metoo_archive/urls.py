from django.contrib import admin
from django.urls import include, path

from metoo_archive import health

# A database that cannot be reached answers the 503 page wherever it fails (see the function).
handler500 = "metoo_archive.statement_timeout.server_error"

urlpatterns = [
    path("", include("apps.timeline.urls")),
    path("", include("apps.archive.urls")),
    path("", include("apps.ingest.urls")),
    path("", include("apps.curation.urls")),
    path("", include("apps.search.urls")),
    path("", include("apps.captures.urls")),
    path("api/v1/", include("apps.api.urls")),
    path("", include("apps.datasets.urls")),
    path("", include("apps.feeds.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
