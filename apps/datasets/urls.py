from django.urls import path

from apps.datasets import views

app_name = "datasets"

urlpatterns = [
    path("datasets/new", views.package_new, name="new"),
    path("datasets/<uuid:pk>/", views.package_page, name="package"),
    path("datasets/<uuid:pk>/<slug:name>.zip", views.package_download, name="download"),
]
