from django.urls import path, register_converter

from apps.search import views


class CitableKind:
    regex = "post|article|event"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CitableKind, "citable")

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/export.csv", views.export_csv, name="export_csv"),
    path("search/export.json", views.export_json, name="export_json"),
    path("cite/<citable:kind>/<id:pk>.bib", views.cite, {"fmt": "bib"}, name="cite_bibtex"),
    path("cite/<citable:kind>/<id:pk>.json", views.cite, {"fmt": "json"}, name="cite_csl"),
]
