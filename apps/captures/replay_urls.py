"""The replay origin's whole URLconf (ReplayHostMiddleware gives it to the replay host's
requests): the embed page, a capture's WACZ, and ReplayWeb.page's files. Nothing else."""

from django.http import HttpResponseNotFound, HttpResponseServerError
from django.urls import include, path

from apps.captures import replay

replay_patterns = [
    path("replay/<id:pk>/", replay.embed, name="embed"),
    path("replay/<id:pk>/capture.wacz", replay.wacz, name="wacz"),
    # The service worker's own folder is its scope: it answers every request under it.
    path("replay/sw/<str:name>", replay.engine, name="engine"),
    path("replay/<str:name>", replay.own_file, name="file"),
]

urlpatterns = [path("", include((replay_patterns, "replay")))]


# The site's error pages are built on the archive's own URLconf; this origin answers plainly.
def handler404(request, exception=None):
    return HttpResponseNotFound(b"Not found.\n", content_type="text/plain")


def handler500(request):
    return HttpResponseServerError(b"Server error.\n", content_type="text/plain")
