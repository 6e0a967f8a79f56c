"""The archive origin's capture pages. The replay itself is served from the replay origin
(apps/captures/replay_urls.py), never from these."""

from django.conf import settings
from django.urls import path
from django.views.generic import TemplateView

from apps.captures import collections, memento, versions, views

app_name = "captures"

urlpatterns = [
    # The page the capture robot's User-Agent names (CAPTURE_USER_AGENT).
    path(
        "captures/about/",
        TemplateView.as_view(
            template_name="captures/about.html",
            extra_context={"contact": settings.CAPTURE_CONTACT},
        ),
        name="about",
    ),
    # A capture's page, its WACZ and its screenshot.
    path("captures/<id:pk>/", views.capture_detail, name="detail"),
    path("captures/<id:pk>/capture.wacz", views.capture_wacz, name="wacz"),
    path("captures/<id:pk>/screenshot.png", views.capture_screenshot, name="screenshot"),
    # Two public captures' text compared.
    path("captures/compare/<id:old_id>/<id:new_id>/", versions.compare, name="compare"),
    # A search's articles as one WACZ.
    path("captures/search.wacz", collections.search_wacz, name="search_wacz"),
    # The lookup by address, and Memento (RFC 7089) at Perma.cc's paths: the original address
    # is the rest of the path, scheme and all; its query string comes along.
    path("captures/", memento.lookup, name="lookup"),
    path("timegate/<path:url>", memento.timegate, name="timegate"),
    path("timemap/link/<path:url>", memento.timemap_link, name="timemap_link"),
    path("timemap/json/<path:url>", memento.timemap_json, name="timemap_json"),
]
