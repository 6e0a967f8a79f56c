"""The curators' page listing the stored files whose latest fixity check failed.

Served under the curation namespace (``curation:fixity_problems``), so the curators' sign-in
and second factor (apps.curation.middleware) close it like every curator page. The check is on
the permission by name: this app sits below curation and imports none of it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from apps.fixity.reports import problem_count, problem_rows

PAGE_SIZE = 200


@login_required(login_url="curation:login")
def problems(request):
    if not request.user.has_perm("curation.moderate_entries"):
        raise PermissionDenied
    return render(
        request,
        "fixity/problems.html",
        {
            "section": "fixity",
            "rows": problem_rows(limit=PAGE_SIZE),
            "total": problem_count(),
            "cycle_days": settings.FIXITY_CYCLE_DAYS,
        },
    )
