from django.urls import path

from apps.curation import views

app_name = "curation"

urlpatterns = [
    path("takedown/", views.takedown_form, name="takedown_form"),
    path("takedown/status/", views.takedown_status, name="takedown_status"),
    path("curate/login/", views.login, name="login"),
    path("curate/logout/", views.logout, name="logout"),
    path("curate/", views.queue, name="queue"),
    path("curate/bulk/", views.bulk, name="bulk"),
    path("curate/bulk/<int:pk>/", views.bulk_progress, name="bulk_progress"),
    path("curate/bulk/<int:pk>/retry/", views.bulk_retry, name="bulk_retry"),
    path("curate/rules/", views.rules, name="rules"),
    path("curate/rules/<int:pk>/active/", views.rule_active, name="rule_active"),
    path("curate/rules/<int:pk>/apply/", views.rule_apply, name="rule_apply"),
    path("curate/takedowns/", views.takedowns, name="takedowns"),
    path("curate/takedowns/<int:pk>/", views.takedown_detail, name="takedown"),
    path(
        "curate/takedowns/<int:pk>/<str:action>/",
        views.takedown_decide,
        name="takedown_decide",
    ),
    path("curate/posts/<int:pk>/warning/", views.post_warning, name="post_warning"),
    path("curate/accounts/<int:pk>/handle/", views.account_handle, name="account_handle"),
    path("curate/<str:kind>/<int:pk>/", views.entry_detail, name="entry"),
    path("curate/<str:kind>/<int:pk>/decide/", views.entry_decide, name="entry_decide"),
    path("curate/<str:kind>/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("curate/<str:kind>/<int:pk>/evidence/", views.evidence, name="evidence"),
]
