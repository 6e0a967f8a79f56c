"""Curators' pages (``/curate/``) and the public takedown form (``/takedown/``).

Every curator view requires a login and checks a permission (see ``PERMISSION_FOR``); the
groups command hands permissions out to the Curator, Editor and Admin groups.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from apps.archive.models import Account, Post
from apps.curation import services
from apps.curation.filters import QUEUE_KINDS, queue_filterset
from apps.curation.forms import (
    EDIT_FORMS,
    BulkForm,
    DecideForm,
    EvidenceForm,
    HandleForm,
    NoteForm,
    RuleForm,
    TakedownForm,
    TakedownStatusForm,
    WarningForm,
)
from apps.curation.models import (
    BulkAction,
    EntryKind,
    JobState,
    ModerationDecision,
    PublicationRule,
    RuleApplication,
    RuleScope,
    TakedownRequest,
    TakedownState,
)
from apps.curation.services import CurationError, entry_model

QUEUE_PAGE_SIZE = 50
curator_login_required = login_required(login_url="curation:login")


def _require(request, perm: str) -> None:
    if not request.user.has_perm(f"curation.{perm}"):
        raise PermissionDenied


def _entry_perm(kind: str, base: str) -> str:
    """Timeline events are the Editors' (``edit_timeline``); posts and articles use ``base``."""
    return "edit_timeline" if kind == EntryKind.EVENT else base


def _kind_or_404(kind: str, allowed=QUEUE_KINDS) -> str:
    if kind not in allowed:
        raise Http404("No such kind of entry.")
    return kind


def _back(request, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return HttpResponseRedirect(target)


# --- login ----------------------------------------------------------------------------------


class CuratorLoginView(auth_views.LoginView):
    template_name = "curation/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("curation:queue")

    def get_context_data(self, **kwargs):
        return super().get_context_data(lockout_limit=settings.AXES_FAILURE_LIMIT, **kwargs)


login = CuratorLoginView.as_view()
logout = auth_views.LogoutView.as_view(next_page="curation:login")


# --- the queue ------------------------------------------------------------------------------

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
    _kind_or_404(kind)
    _require(request, _entry_perm(kind, "moderate_entries"))
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
            "recent_jobs": list(
                BulkAction.objects.filter(actor=request.user).select_related("actor")[:3]
            ),
        },
    )


@curator_login_required
@require_POST
def bulk(request):
    kind = _kind_or_404(request.POST.get("kind", ""))
    _require(request, _entry_perm(kind, "moderate_entries"))
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
    _require(request, "moderate_entries")
    job = get_object_or_404(BulkAction.objects.select_related("actor"), pk=pk)
    return render(request, "curation/bulk_progress.html", {"job": job})


@curator_login_required
@require_POST
def bulk_retry(request, pk: int):
    _require(request, "moderate_entries")
    job = get_object_or_404(BulkAction.objects.only("id", "state"), pk=pk)
    if job.state == JobState.FAILED and services.bulk_action_enqueue(job_id=job.pk):
        messages.success(request, "Started again; entries already decided are skipped.")
    elif job.state != JobState.FAILED:
        messages.warning(request, "Only a bulk action that stopped can be started again.")
    else:
        messages.error(request, "The task queue still cannot be reached.")
    return redirect("curation:bulk_progress", pk=job.pk)


# --- one entry ------------------------------------------------------------------------------


def _load_entry(kind: str, pk: int):
    model = entry_model(kind)
    queryset = model.objects.all()
    if kind == EntryKind.POST:
        queryset = queryset.select_related("account").prefetch_related("events")
    elif kind == EntryKind.ARTICLE:
        queryset = queryset.select_related("outlet").prefetch_related("events")
    return get_object_or_404(queryset, pk=pk)


@curator_login_required
def entry_detail(request, kind: str, pk: int):
    _kind_or_404(kind)
    _require(request, _entry_perm(kind, "moderate_entries"))
    entry = _load_entry(kind, pk)
    return _render_entry(request, kind, entry)


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
        },
        status=status,
    )


@curator_login_required
@require_POST
def entry_decide(request, kind: str, pk: int):
    _kind_or_404(kind)
    _require(request, _entry_perm(kind, "moderate_entries"))
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
    return _back(request, reverse("curation:entry", args=[kind, entry.pk]))


@curator_login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, kind: str, pk: int):
    _kind_or_404(kind)
    _require(request, _entry_perm(kind, "edit_entries"))
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
    _require(request, "moderate_entries")
    post = get_object_or_404(Post.objects.only("id"), pk=pk)
    form = WarningForm(request.POST)
    if form.is_valid():
        services.post_warning_set(
            post_id=post.pk, warning=form.cleaned_data["content_warning"], actor=request.user
        )
        messages.success(request, "Content warning saved.")
    else:
        messages.error(request, "A content warning is at most 200 characters.")
    return _back(request, reverse("curation:entry", args=[EntryKind.POST, post.pk]))


@curator_login_required
@require_POST
def account_handle(request, pk: int):
    _require(request, "moderate_entries")
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
    return _back(request, reverse("curation:queue"))


@curator_login_required
@require_POST
def evidence(request, kind: str, pk: int):
    _kind_or_404(kind, allowed=(EntryKind.POST, EntryKind.ARTICLE))
    _require(request, "link_evidence")
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


# --- publication rules ----------------------------------------------------------------------


@curator_login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    _require(request, "manage_rules")
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.publication_rule_create(
                scope=form.cleaned_data["scope"],
                target_id=form.cleaned_data["target_id"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except CurationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Rule saved. It applies to what arrives from now on.")
            return redirect("curation:rules")
    rule_list = list(
        PublicationRule.objects.select_related("created_by")
        .annotate(published_count=Count("decisions", filter=Q(decisions__to_state="published")))
        .order_by("scope", "target_id")
    )
    _attach_rule_targets(rule_list)
    return render(
        request,
        "curation/rules.html",
        {
            "section": "rules",
            "form": form,
            "rules": rule_list,
            "applications": list(RuleApplication.objects.select_related("rule", "actor")[:20]),
        },
        status=400 if form.errors else 200,
    )


def _attach_rule_targets(rule_list) -> None:
    """Name each rule's target as curators know it (two queries, whatever the number)."""
    from apps.archive.models import Outlet

    wanted = {RuleScope.ACCOUNT: set(), RuleScope.OUTLET: set()}
    for rule in rule_list:
        wanted.get(rule.scope, set()).add(rule.target_id)
    names = {
        RuleScope.ACCOUNT: {
            pk: f"@{handle} ({platform})"
            for pk, handle, platform in Account.objects.filter(
                pk__in=wanted[RuleScope.ACCOUNT]
            ).values_list("pk", "handle", "platform")
        },
        RuleScope.OUTLET: dict(
            Outlet.objects.filter(pk__in=wanted[RuleScope.OUTLET]).values_list("pk", "domain")
        ),
    }
    for rule in rule_list:
        found = names.get(rule.scope, {}).get(rule.target_id)
        rule.target_label = found or f"#{rule.target_id}"


@curator_login_required
@require_POST
def rule_active(request, pk: int):
    _require(request, "manage_rules")
    rule = get_object_or_404(PublicationRule, pk=pk)
    active = request.POST.get("active") == "1"
    services.publication_rule_set_active(rule_id=rule.pk, active=active)
    messages.success(request, f"Rule {'switched on' if active else 'switched off'}.")
    return redirect("curation:rules")


@curator_login_required
@require_POST
def rule_apply(request, pk: int):
    _require(request, "manage_rules")
    rule = get_object_or_404(PublicationRule, pk=pk)
    try:
        published = services.publication_rule_apply_to_queue(rule_id=rule.pk, actor=request.user)
    except CurationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Applied to the queue: {published} published.")
    return redirect("curation:rules")


# --- takedown requests: the public form -----------------------------------------------------


@ratelimit(
    key="ip", rate=lambda group, request: settings.TAKEDOWN_RATE_LIMIT, method="POST", block=False
)
@require_http_methods(["GET", "POST"])
def takedown_form(request):
    if getattr(request, "limited", False):
        response = render(request, "curation/takedown_limited.html", status=429)
        response["Retry-After"] = "3600"
        return response
    initial = {"entry_url": request.GET.get("entry", "")[:1000]}
    form = TakedownForm(request.POST or None, initial=initial, request_host=request.get_host())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        takedown = services.takedown_submit(
            entry_url=data["entry_url"],
            entry_kind=data["entry_kind"],
            entry_id=data["entry_id"],
            requester_name=data["requester_name"],
            relation=data["relation"],
            reason=data["reason"],
            contact=data["contact"],
        )
        response = render(request, "curation/takedown_received.html", {"takedown": takedown})
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "curation/takedown_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@ratelimit(
    key="ip", rate=lambda group, request: settings.TAKEDOWN_RATE_LIMIT, method="POST", block=False
)
@require_http_methods(["GET", "POST"])
def takedown_status(request):
    """A requester checks their request. POST, so the email address stays out of URLs and logs;
    rate-limited like the form, so references cannot be guessed."""
    if getattr(request, "limited", False):
        response = render(request, "curation/takedown_limited.html", status=429)
        response["Retry-After"] = "3600"
        return response
    form = TakedownStatusForm(request.POST or None)
    takedown = None
    if request.method == "POST" and form.is_valid():
        takedown = TakedownRequest.objects.filter(
            reference=form.cleaned_data["reference"],
            contact__iexact=form.cleaned_data["contact"],
        ).first()
        if takedown is None:
            form.add_error(None, "No request matches this reference and email address.")
    response = render(
        request,
        "curation/takedown_status.html",
        {"form": form, "takedown": takedown},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


# --- takedown requests: the curators' queue -------------------------------------------------


@curator_login_required
def takedowns(request):
    _require(request, "handle_takedowns")
    state = request.GET.get("state", "open")
    requests = TakedownRequest.objects.select_related("decided_by")
    if state == "open":
        requests = requests.open()
    elif state in TakedownState.values:
        requests = requests.filter(state=state)
    return render(
        request,
        "curation/takedowns.html",
        {
            "section": "takedowns",
            "requests": list(requests[:200]),
            "state": state,
            "states": [("open", "Open"), *TakedownState.choices, ("all", "All")],
        },
    )


@curator_login_required
def takedown_detail(request, pk: int):
    _require(request, "handle_takedowns")
    takedown = get_object_or_404(TakedownRequest.objects.select_related("decided_by"), pk=pk)
    entry = entry_model(takedown.entry_kind).objects.filter(pk=takedown.entry_id).first()
    return render(
        request,
        "curation/takedown_detail.html",
        {
            "takedown": takedown,
            "entry": entry,
            "note_form": NoteForm(),
            "decisions": list(
                ModerationDecision.objects.for_entry(takedown.entry_kind, takedown.entry_id)
            ),
        },
    )


@curator_login_required
@require_POST
def takedown_decide(request, pk: int, action: str):
    _require(request, "handle_takedowns")
    takedown = get_object_or_404(TakedownRequest.objects.only("id", "reference"), pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"].strip() if form.is_valid() else ""
    try:
        if action == "review":
            services.takedown_review_start(request_id=takedown.pk, actor=request.user)
            messages.success(request, f"{takedown.reference} is under review.")
        elif action == "grant":
            services.takedown_grant(request_id=takedown.pk, actor=request.user, note=note)
            messages.success(request, f"{takedown.reference} granted: the entry is withdrawn.")
        elif action == "refuse":
            services.takedown_refuse(request_id=takedown.pk, actor=request.user, note=note)
            messages.success(request, f"{takedown.reference} refused.")
        else:
            raise Http404("No such action.")
    except CurationError as error:
        messages.error(request, str(error))
    return redirect("curation:takedown", pk=takedown.pk)
