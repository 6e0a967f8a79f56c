"""The moderation queue and its bulk actions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.moderation import EntryKind
from apps.curation import services
from apps.curation.filters import QUEUE_KINDS, queue_filterset
from apps.curation.forms import BulkForm
from apps.curation.models import BulkAction, JobState
from apps.curation.services import CurationError
from apps.curation.views.common import curator_login_required, entry_perm, kind_or_404, require
from apps.fixity.reports import problem_count

QUEUE_PAGE_SIZE = 50
_PLACEHOLDER = "2147483647"


def _attach_row_urls(kind: str, entries) -> None:
    """Give each row its action URLs: one reverse() per URL name, not per row (reversing is
    the costliest part of rendering a long queue)."""
    patterns = {
        "decide": reverse("curation:entry_decide", args=[kind, _PLACEHOLDER]),
        "detail": reverse("curation:entry", args=[kind, _PLACEHOLDER]),
        "warning": reverse("curation:post_warning", args=[_PLACEHOLDER]),
        "handle": reverse("curation:account_handle", args=[_PLACEHOLDER]),
    }
    for entry in entries:
        ids = {"handle": str(getattr(entry, "account_id", "") or "")}
        entry.curate_urls = {
            name: url.replace(_PLACEHOLDER, ids.get(name, str(entry.pk)))
            for name, url in patterns.items()
        }


@curator_login_required
def queue(request):
    kind = request.GET.get("kind") or EntryKind.POST
    kind_or_404(kind)
    require(request, entry_perm(kind, "moderate_entries"))
    filterset = queue_filterset(kind, request.GET)
    after = request.GET.get("after", "")
    rows = filterset.qs
    if after.isdigit():
        rows = rows.filter(pk__gt=int(after))
    page = list(rows[: QUEUE_PAGE_SIZE + 1])
    entries, has_more = page[:QUEUE_PAGE_SIZE], len(page) > QUEUE_PAGE_SIZE
    _attach_row_urls(kind, entries)
    filters = {key: value for key, value in filterset.form.data.items() if value}
    query = urlencode({"kind": kind, **filters})
    next_query = f"{query}&after={entries[-1].pk}" if has_more else None
    return render(
        request,
        "curation/queue.html",
        {
            "section": "queue",
            "kind": kind,
            "kinds": [(k, EntryKind(k).label) for k in QUEUE_KINDS],
            "filterset": filterset,
            "filters": filters,
            "entries": entries,
            "total": filterset.qs.count(),
            "query": query,
            "here": request.get_full_path(),
            "next_query": next_query,
            "is_first_page": not after,
            "bulk_form": BulkForm(),
            "fixity_problems": problem_count(),
            "recent_jobs": list(
                BulkAction.objects.filter(actor=request.user).select_related("actor")[:3]
            ),
        },
    )


@curator_login_required
@require_POST
def bulk(request):
    kind = kind_or_404(request.POST.get("kind", ""))
    require(request, entry_perm(kind, "moderate_entries"))
    form = BulkForm(request.POST)
    back = reverse("curation:queue") + "?" + request.POST.get("query", "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    try:
        if data["scope"] == "all":
            job = services.bulk_action_start(
                action=data["action"],
                kind=kind,
                filters=request.POST,
                reason=data["reason"],
                actor=request.user,
            )
            return redirect("curation:bulk_progress", pk=job.pk)
        changed = services.entries_decide(
            kind=kind,
            ids=data["ids"],
            action=data["action"],
            actor=request.user,
            reason=data["reason"],
        )
    except CurationError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    verb = "Approved" if data["action"] == "approve" else "Rejected"
    messages.success(request, f"{verb} {changed} {'entry' if changed == 1 else 'entries'}.")
    return HttpResponseRedirect(back)


@curator_login_required
def bulk_progress(request, pk: int):
    require(request, "moderate_entries")
    job = get_object_or_404(BulkAction.objects.select_related("actor"), pk=pk)
    require(request, entry_perm(job.entry_kind, "moderate_entries"))
    return render(request, "curation/bulk_progress.html", {"job": job})


@curator_login_required
@require_POST
def bulk_retry(request, pk: int):
    require(request, "moderate_entries")
    job = get_object_or_404(BulkAction.objects.only("id", "state", "entry_kind"), pk=pk)
    # The job runs as the person who started it: running it again needs their permission on
    # its kind of entry (a Curator may not re-run an Editor's job on timeline events).
    require(request, entry_perm(job.entry_kind, "moderate_entries"))
    if job.state == JobState.FAILED and services.bulk_action_enqueue(job_id=job.pk):
        messages.success(request, "Started again; entries already decided are skipped.")
    elif job.state != JobState.FAILED:
        messages.warning(request, "Only a bulk action that stopped can be started again.")
    else:
        messages.error(request, "The task queue still cannot be reached.")
    return redirect("curation:bulk_progress", pk=job.pk)
