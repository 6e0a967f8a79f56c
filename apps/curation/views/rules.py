"""Publication rules (Editors)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.archive.models import Account
from apps.curation import services
from apps.curation.forms import RuleForm
from apps.curation.models import PublicationRule, RuleApplication, RuleScope
from apps.curation.services import CurationError
from apps.curation.views.common import curator_login_required, require


@curator_login_required
@require_http_methods(["GET", "POST"])
def rules(request):
    require(request, "manage_rules")
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
    require(request, "manage_rules")
    rule = get_object_or_404(PublicationRule, pk=pk)
    active = request.POST.get("active") == "1"
    services.publication_rule_set_active(rule_id=rule.pk, active=active)
    messages.success(request, f"Rule {'switched on' if active else 'switched off'}.")
    return redirect("curation:rules")


@curator_login_required
@require_POST
def rule_apply(request, pk: int):
    require(request, "manage_rules")
    rule = get_object_or_404(PublicationRule, pk=pk)
    try:
        published = services.publication_rule_apply_to_queue(rule_id=rule.pk, actor=request.user)
    except CurationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Applied to the queue: {published} published.")
    return redirect("curation:rules")
