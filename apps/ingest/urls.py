from django.urls import path

from apps.ingest import views

app_name = "ingest"

urlpatterns = [
    path("sources/", views.sources, name="sources"),
]
