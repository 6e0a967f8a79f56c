from django.urls import path

from apps.feeds import views

app_name = "feeds"

urlpatterns = [
    path("feeds/new.atom", views.new_entries_feed, name="new"),
    path("feeds/search.atom", views.search_feed, name="search"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
