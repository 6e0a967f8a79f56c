from django.urls import path

from apps.timeline import views

app_name = "timeline"

urlpatterns = [
    path("", views.home, name="home"),
    path("timeline/", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
]
