"""One entry in the curator view: decide, edit, warn, show or hide a handle, link evidence."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.archive.models import Account, Post
from apps.captures.models import WebCapture
from apps.core.moderation import EntryKind
from apps.curation import services
from apps.curation.forms import (
    EDIT_FORMS,
    CaptureLinkForm,
    DecideForm,
    EvidenceForm,
    HandleForm,
    WarningForm,
)
from apps.curation.models import ModerationDecision, SourceRevision, TakedownRequest
from apps.curation.services import entry_model
from apps.curation.views.common import (
    back,
    curator_login_required,
    entry_perm,
    kind_or_404,
    require,
)
from apps.search.citations import capture_path


def _load_entry(kind: str, pk: int):
    model = entry_model(kind)
    queryset = model.objects.all()
    if kind == EntryKind.POST:
        queryset = queryset.select_related("account").prefetch_related("events")
    elif kind == EntryKind.ARTICLE:
        queryset = queryset.select_related("outlet").prefetch_related("events")
    return get_object_or_404(queryset, pk=pk)


CAPTURES_SHOWN = 20
WEB_CAPTURES_SHOWN = 50
REVISIONS_SHOWN = 10


@curator_login_required
def entry_detail(request, kind: str, pk: int):
    kind_or_404(kind)
    require(request, entry_perm(kind, "moderate_entries"))
    entry = _load_entry(kind, pk)
    return _render_entry(request, kind, entry)


def _web_captures(kind: str, entry) -> list[WebCapture]:
    """Every web capture of the entry, whatever its state or the entry's (queued, running and
    failed ones too), newest first, each with its page's address."""
    if kind not in (EntryKind.POST, EntryKind.ARTICLE):
        return []
    captures = list(
        WebCapture.objects.filter(**{kind: entry})
        .only("id", "url", "status", "requested_at", "captured_at", "http_status", "error")
        .order_by("-requested_at", "-id")[:WEB_CAPTURES_SHOWN]
    )
    for capture in captures:
        capture.page_url = capture_path(capture.pk)
    return captures


def _render_entry(request, kind, entry, *, edit_form=None, status=200):
    account = entry.account if kind == EntryKind.POST else None
    decisions = list(ModerationDecision.objects.for_entry(kind, entry.pk))
    account_decisions = (
        list(ModerationDecision.objects.for_entry(EntryKind.ACCOUNT, account.pk)) if account else []
    )
    return render(
        request,
        "curation/entry_detail.html",
        {
            "kind": kind,
            "entry": entry,
            "account": account,
            "decisions": decisions,
            "account_decisions": account_decisions,
            "linked_events": list(entry.events.all()) if kind != EntryKind.EVENT else [],
            "edit_form": edit_form or EDIT_FORMS[kind](instance=entry, prefix="edit"),
            "decide_form": DecideForm(),
            "warning_form": WarningForm(
                initial={"content_warning": getattr(entry, "content_warning", "")}
            ),
            "evidence_form": EvidenceForm() if kind != EntryKind.EVENT else None,
            "takedowns": list(TakedownRequest.objects.filter(entry_kind=kind, entry_id=entry.pk)),
            "revisions": list(
                SourceRevision.objects.filter(entry_kind=kind, entry_id=entry.pk)[:REVISIONS_SHOWN]
            ),
            "captures": (
                list(entry.raw_captures.order_by("-fetched_at", "-id")[:CAPTURES_SHOWN])
                if kind != EntryKind.EVENT
                else []
            ),
            "web_captures": _web_captures(kind, entry),
            "capture_link_form": CaptureLinkForm(post=entry) if kind == EntryKind.POST else None,
        },
        status=status,
    )


@curator_login_required
@require_POST
def entry_decide(request, kind: str, pk: int):
    kind_or_404(kind)
    require(request, entry_perm(kind, "moderate_entries"))
    entry = _load_entry(kind, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        changed = services.entries_decide(
            kind=kind,
            ids=[entry.pk],
            action=form.cleaned_data["action"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            reconsider=request.POST.get("reconsider") == "1",
        )
        if changed:
            verb = "approved" if form.cleaned_data["action"] == "approve" else "rejected"
            messages.success(request, f"{EntryKind(kind).label} {entry.pk} {verb}.")
        else:
            messages.warning(
                request, f"Nothing changed: the entry is {entry.get_moderation_state_display()}."
            )
    return back(request, reverse("curation:entry", args=[kind, entry.pk]))


@curator_login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, kind: str, pk: int):
    kind_or_404(kind)
    require(request, entry_perm(kind, "edit_entries"))
    entry = _load_entry(kind, pk)
    if request.method == "GET":
        return redirect(reverse("curation:entry", args=[kind, pk]) + "#edit")
    form = EDIT_FORMS[kind](request.POST, instance=entry, prefix="edit")
    if not form.is_valid():
        messages.error(request, "The edit was not saved: correct the fields marked below.")
        return _render_entry(request, kind, entry, edit_form=form, status=400)
    services.entry_update(
        kind=kind, entry=form.instance, actor=request.user, fields=form.changed_data
    )
    messages.success(request, "Saved." if form.changed_data else "Nothing changed.")
    return redirect("curation:entry", kind=kind, pk=pk)


@curator_login_required
@require_POST
def post_warning(request, pk: int):
    require(request, "moderate_entries")
    post = get_object_or_404(Post.objects.only("id"), pk=pk)
    form = WarningForm(request.POST)
    if form.is_valid():
        services.post_warning_set(
            post_id=post.pk, warning=form.cleaned_data["content_warning"], actor=request.user
        )
        messages.success(request, "Content warning saved.")
    else:
        messages.error(request, "A content warning is at most 200 characters.")
    return back(request, reverse("curation:entry", args=[EntryKind.POST, post.pk]))


@curator_login_required
@require_POST
def post_capture_link(request, pk: int):
    """Capture a link written in the post (a curator's choice), as evidence kept with it."""
    require(request, "moderate_entries")
    post = get_object_or_404(Post.objects.only("id", "text"), pk=pk)
    form = CaptureLinkForm(request.POST, post=post)
    if not form.is_valid():
        messages.error(request, "Only a link written in the post can be captured.")
        return redirect("curation:entry", kind=EntryKind.POST, pk=post.pk)
    url = form.cleaned_data["url"]
    try:
        capture = services.post_link_capture(post_id=post.pk, url=url, actor=request.user)
    except services.CurationError as error:
        messages.error(request, str(error))
    else:
        if capture.post_id == post.pk:
            messages.success(request, f"A capture of {url} was asked for (capture {capture.pk}).")
        else:
            messages.warning(
                request,
                f"{url} is already being captured (capture {capture.pk}) for another entry.",
            )
    return redirect("curation:entry", kind=EntryKind.POST, pk=post.pk)


@curator_login_required
@require_POST
def account_handle(request, pk: int):
    require(request, "moderate_entries")
    account = get_object_or_404(Account.objects.only("id"), pk=pk)
    form = HandleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        services.account_visibility_set(
            account_id=account.pk,
            actor=request.user,
            handle_visible=data["handle_visible"] if request.POST.get("handle_visible") else None,
            is_public_figure=(
                data["is_public_figure"] if request.POST.get("is_public_figure") else None
            ),
        )
        messages.success(request, "The account's visibility was saved.")
    else:
        messages.error(request, "That visibility choice is not valid.")
    return back(request, reverse("curation:queue"))


@curator_login_required
@require_POST
def evidence(request, kind: str, pk: int):
    kind_or_404(kind, allowed=(EntryKind.POST, EntryKind.ARTICLE))
    require(request, "link_evidence")
    entry = _load_entry(kind, pk)
    unlink = request.POST.get("unlink") == "1"
    form = EvidenceForm(request.POST)
    if form.is_valid():
        event = form.cleaned_data["event"]
        services.evidence_link(
            event_id=event.pk, kind=kind, entry_id=entry.pk, actor=request.user, linked=not unlink
        )
        verb = "Unlinked from" if unlink else "Linked to"
        messages.success(request, f"{verb} “{event.title}”.")
    else:
        messages.error(request, "Choose a timeline event.")
    return redirect("curation:entry", kind=kind, pk=pk)
