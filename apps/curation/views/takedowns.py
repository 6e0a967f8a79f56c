"""Takedown and consent requests: the public form and status page, and the curators' queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.limits import rate_limit_wait
from apps.curation import services
from apps.curation.forms import NoteForm, TakedownForm, TakedownStatusForm
from apps.curation.models import ModerationDecision, TakedownRequest, TakedownState
from apps.curation.services import CurationError, entry_model
from apps.curation.views.common import curator_login_required, entry_perm, require

# --- takedown requests: the public form -----------------------------------------------------


def _limited(request, group: str):
    """The "too many requests" page if this address has sent more POSTs than
    TAKEDOWN_RATE_LIMIT allows, else None. The counts live in the cache: when it cannot be
    reached (Redis down) the request goes through and the log says so, because a takedown
    request must never fail for an outage."""
    if request.method != "POST":
        return None
    if rate_limit_wait(request, group=group, rate=settings.TAKEDOWN_RATE_LIMIT) is None:
        return None
    response = render(request, "curation/takedown_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response


@require_http_methods(["GET", "POST"])
def takedown_form(request):
    if limited := _limited(request, "takedown-form"):
        return limited
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
            thread_requested=data["thread_requested"],
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


@require_http_methods(["GET", "POST"])
def takedown_status(request):
    """A requester checks their request. POST, so the email address stays out of URLs and logs;
    rate-limited like the form, so references cannot be guessed."""
    if limited := _limited(request, "takedown-status"):
        return limited
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
    require(request, "handle_takedowns")
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
    require(request, "handle_takedowns")
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
    require(request, "handle_takedowns")
    takedown = get_object_or_404(
        TakedownRequest.objects.only("id", "reference", "entry_kind"), pk=pk
    )
    if action == "grant":
        # Granting withdraws the entry: a timeline event needs the Editors' permission, as
        # withdrawing it from the queue would.
        require(request, entry_perm(takedown.entry_kind, "handle_takedowns"))
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"].strip() if form.is_valid() else ""
    try:
        if action == "review":
            services.takedown_review_start(request_id=takedown.pk, actor=request.user)
            messages.success(request, f"{takedown.reference} is under review.")
        elif action == "grant":
            services.takedown_grant(
                request_id=takedown.pk,
                actor=request.user,
                note=note,
                covers_thread=request.POST.get("covers_thread") == "1",
            )
            messages.success(request, f"{takedown.reference} granted: the entry is withdrawn.")
        elif action == "refuse":
            services.takedown_refuse(request_id=takedown.pk, actor=request.user, note=note)
            messages.success(request, f"{takedown.reference} refused.")
        else:
            raise Http404("No such action.")
    except CurationError as error:
        messages.error(request, str(error))
    return redirect("curation:takedown", pk=takedown.pk)
