from django.urls import path

from apps.curation.views import captures, entries, login, queue, rules, takedowns, two_factor
from apps.fixity import views as fixity

app_name = "curation"

urlpatterns = [
    path("takedown/", takedowns.takedown_form, name="takedown_form"),
    path("takedown/status/", takedowns.takedown_status, name="takedown_status"),
    path("curate/login/", login.login, name="login"),
    path("curate/logout/", login.logout, name="logout"),
    path("curate/2fa/setup/", two_factor.setup, name="two_factor_setup"),
    path("curate/2fa/verify/", two_factor.verify, name="two_factor_verify"),
    path("curate/", queue.queue, name="queue"),
    path("curate/bulk/", queue.bulk, name="bulk"),
    path("curate/captures/<id:pk>/", captures.capture_content, name="capture"),
    path("curate/bulk/<id:pk>/", queue.bulk_progress, name="bulk_progress"),
    path("curate/bulk/<id:pk>/retry/", queue.bulk_retry, name="bulk_retry"),
    path("curate/fixity/", fixity.problems, name="fixity_problems"),
    path("curate/rules/", rules.rules, name="rules"),
    path("curate/rules/<id:pk>/active/", rules.rule_active, name="rule_active"),
    path("curate/rules/<id:pk>/apply/", rules.rule_apply, name="rule_apply"),
    path("curate/takedowns/", takedowns.takedowns, name="takedowns"),
    path("curate/takedowns/<id:pk>/", takedowns.takedown_detail, name="takedown"),
    path(
        "curate/takedowns/<id:pk>/<str:action>/",
        takedowns.takedown_decide,
        name="takedown_decide",
    ),
    path("curate/posts/<id:pk>/warning/", entries.post_warning, name="post_warning"),
    path("curate/posts/<id:pk>/capture/", entries.post_capture_link, name="post_capture_link"),
    path("curate/accounts/<id:pk>/handle/", entries.account_handle, name="account_handle"),
    path("curate/<str:kind>/<id:pk>/", entries.entry_detail, name="entry"),
    path("curate/<str:kind>/<id:pk>/decide/", entries.entry_decide, name="entry_decide"),
    path("curate/<str:kind>/<id:pk>/edit/", entries.entry_edit, name="entry_edit"),
    path("curate/<str:kind>/<id:pk>/evidence/", entries.evidence, name="evidence"),
]
