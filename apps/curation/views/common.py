"""What every curator view shares: the login requirement and the permission checks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.moderation import EntryKind
from apps.curation.filters import QUEUE_KINDS

curator_login_required = login_required(login_url="curation:login")


def require(request, perm: str) -> None:
    if not request.user.has_perm(f"curation.{perm}"):
        raise PermissionDenied


def entry_perm(kind: str, base: str) -> str:
    """Timeline events are the Editors' (``edit_timeline``); posts and articles use ``base``."""
    return "edit_timeline" if kind == EntryKind.EVENT else base


def kind_or_404(kind: str, allowed=QUEUE_KINDS) -> str:
    if kind not in allowed:
        raise Http404("No such kind of entry.")
    return kind


def back(request, default: str) -> HttpResponseRedirect:
    """Redirect to the page the form came from (``next``), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return HttpResponseRedirect(target)
