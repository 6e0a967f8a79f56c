"""Curators sign in here; django-axes (see settings) locks out repeated failures."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse


class CuratorLoginView(auth_views.LoginView):
    template_name = "curation/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("curation:queue")

    def get_context_data(self, **kwargs):
        return super().get_context_data(lockout_limit=settings.AXES_FAILURE_LIMIT, **kwargs)


login = CuratorLoginView.as_view()
logout = auth_views.LogoutView.as_view(next_page="curation:login")
