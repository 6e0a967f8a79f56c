from django.urls import path

from apps.archive import views

app_name = "archive"

urlpatterns = [
    path("posts/<id:pk>/", views.post_detail, name="post"),
    path("articles/<id:pk>/", views.article_detail, name="article"),
    path("accounts/<str:platform>/<str:handle>/", views.account_detail, name="account"),
]
