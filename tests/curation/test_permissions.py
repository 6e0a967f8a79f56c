"""The permission matrix: every curator URL and action, for every role.

Anonymous visitors are sent to the login page; signed-in people without the permission get
403 and change nothing; people with it get through (200 for pages, a redirect after actions).
"""

import pytest
from django.urls import reverse

from apps.curation.models import PublicationRule, RuleScope
from apps.curation.services import bulk_action_start, takedown_submit
from tests.factories import PostFactory, SourceArticleFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "curator", "editor", "admin"]
RANK = {"anonymous": 0, "outsider": 1, "curator": 2, "editor": 3, "admin": 4}


def _objects(user_for_jobs):
    post = PostFactory()
    event = TimelineEventFactory()
    article = SourceArticleFactory()
    rule = PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=post.account_id, description="Public figure"
    )
    takedown = takedown_submit(
        entry_url=f"/posts/{post.pk}/", entry_kind="post", entry_id=post.pk,
        requester_name="R", relation="author", reason="mine", contact="r@example.org",
    )  # fmt: skip
    event_takedown = takedown_submit(
        entry_url=f"/events/{event.slug}/", entry_kind="event", entry_id=event.pk,
        requester_name="R", relation="subject", reason="me", contact="r@example.org",
    )  # fmt: skip
    job = bulk_action_start(
        action="approve", kind="event", filters={}, reason="", actor=user_for_jobs
    )
    post_job = bulk_action_start(
        action="approve", kind="post", filters={}, reason="", actor=user_for_jobs
    )
    return {"post": post, "event": event, "article": article, "rule": rule,
            "takedown": takedown, "event_takedown": event_takedown, "job": job,
            "post_job": post_job}  # fmt: skip


# (name, method, url, data, the lowest role allowed)
CASES = [
    ("queue of posts", "get", lambda o: reverse("curation:queue"), None, "curator"),
    (
        "queue of articles",
        "get",
        lambda o: reverse("curation:queue") + "?kind=article",
        None,
        "curator",
    ),
    ("queue of events", "get", lambda o: reverse("curation:queue") + "?kind=event", None, "editor"),
    (
        "bulk approve posts",
        "post",
        lambda o: reverse("curation:bulk"),
        lambda o: {"kind": "post", "scope": "selected", "ids": [o["post"].pk], "action": "approve"},
        "curator",
    ),
    (
        "bulk approve events",
        "post",
        lambda o: reverse("curation:bulk"),
        lambda o: {
            "kind": "event",
            "scope": "selected",
            "ids": [o["event"].pk],
            "action": "approve",
        },
        "editor",
    ),
    (
        "bulk progress on posts",
        "get",
        lambda o: reverse("curation:bulk_progress", args=[o["post_job"].pk]),
        None,
        "curator",
    ),
    (
        "bulk progress on events",
        "get",
        lambda o: reverse("curation:bulk_progress", args=[o["job"].pk]),
        None,
        "editor",
    ),
    (
        "run a bulk action on posts again",
        "post",
        lambda o: reverse("curation:bulk_retry", args=[o["post_job"].pk]),
        lambda o: {},
        "curator",
    ),
    (
        "run a bulk action on events again",
        "post",
        lambda o: reverse("curation:bulk_retry", args=[o["job"].pk]),
        lambda o: {},
        "editor",
    ),
    (
        "post view",
        "get",
        lambda o: reverse("curation:entry", args=["post", o["post"].pk]),
        None,
        "curator",
    ),
    (
        "article view",
        "get",
        lambda o: reverse("curation:entry", args=["article", o["article"].pk]),
        None,
        "curator",
    ),
    (
        "event view",
        "get",
        lambda o: reverse("curation:entry", args=["event", o["event"].pk]),
        None,
        "editor",
    ),
    (
        "approve a post",
        "post",
        lambda o: reverse("curation:entry_decide", args=["post", o["post"].pk]),
        lambda o: {"action": "approve"},
        "curator",
    ),
    (
        "reject an article",
        "post",
        lambda o: reverse("curation:entry_decide", args=["article", o["article"].pk]),
        lambda o: {"action": "reject", "reason": "off topic"},
        "curator",
    ),
    (
        "approve an event",
        "post",
        lambda o: reverse("curation:entry_decide", args=["event", o["event"].pk]),
        lambda o: {"action": "approve"},
        "editor",
    ),
    (
        "edit a post",
        "post",
        lambda o: reverse("curation:entry_edit", args=["post", o["post"].pk]),
        lambda o: {"edit-text": "edited", "edit-language": "en"},
        "curator",
    ),
    (
        "edit an event",
        "post",
        lambda o: reverse("curation:entry_edit", args=["event", o["event"].pk]),
        lambda o: {
            "edit-title": "T",
            "edit-summary": "S",
            "edit-date": "2017-10-15",
            "edit-date_precision": "day",
        },
        "editor",
    ),
    (
        "warn on a post",
        "post",
        lambda o: reverse("curation:post_warning", args=[o["post"].pk]),
        lambda o: {"content_warning": "assault"},
        "curator",
    ),
    (
        "show a handle",
        "post",
        lambda o: reverse("curation:account_handle", args=[o["post"].account_id]),
        lambda o: {"handle_visible": "1"},
        "curator",
    ),
    (
        "link evidence",
        "post",
        lambda o: reverse("curation:evidence", args=["post", o["post"].pk]),
        lambda o: {"event": o["event"].pk},
        "curator",
    ),
    ("rules page", "get", lambda o: reverse("curation:rules"), None, "editor"),
    (
        "create a rule",
        "post",
        lambda o: reverse("curation:rules"),
        lambda o: {"scope": "outlet", "target": o["article"].outlet_id, "description": "x"},
        "editor",
    ),
    (
        "switch a rule off",
        "post",
        lambda o: reverse("curation:rule_active", args=[o["rule"].pk]),
        lambda o: {"active": "0"},
        "editor",
    ),
    (
        "apply a rule",
        "post",
        lambda o: reverse("curation:rule_apply", args=[o["rule"].pk]),
        lambda o: {},
        "editor",
    ),
    ("takedown queue", "get", lambda o: reverse("curation:takedowns"), None, "curator"),
    (
        "takedown request",
        "get",
        lambda o: reverse("curation:takedown", args=[o["takedown"].pk]),
        None,
        "curator",
    ),
    (
        "review a takedown",
        "post",
        lambda o: reverse("curation:takedown_decide", args=[o["takedown"].pk, "review"]),
        lambda o: {},
        "curator",
    ),
    (
        "grant a takedown",
        "post",
        lambda o: reverse("curation:takedown_decide", args=[o["takedown"].pk, "grant"]),
        lambda o: {"note": "consent withdrawn"},
        "curator",
    ),
    (
        "grant a takedown of a timeline event",
        "post",
        lambda o: reverse("curation:takedown_decide", args=[o["event_takedown"].pk, "grant"]),
        lambda o: {"note": "consent withdrawn"},
        "editor",
    ),
    (
        "refuse a takedown",
        "post",
        lambda o: reverse("curation:takedown_decide", args=[o["takedown"].pk, "refuse"]),
        lambda o: {"note": "public interest"},
        "curator",
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "url", "data", "lowest"), CASES, ids=[c[0] for c in CASES]
)
def test_each_curator_url_admits_exactly_the_roles_with_its_permission(
    client, request, role, name, method, url, data, lowest
):
    users = {r: request.getfixturevalue(r) for r in ("outsider", "curator", "editor")}
    users["admin"] = request.getfixturevalue("admin_user")
    objects = _objects(users["admin"])
    if role != "anonymous":
        client.force_login(users[role])
    target = url(objects)
    response = getattr(client, method)(target, data(objects) if data else None)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("curation:login"))
    elif RANK[role] < RANK[lowest]:
        assert response.status_code == 403
    else:
        expected = 200 if method == "get" else 302
        assert response.status_code == expected, response.content[:500]


def test_nothing_changes_when_a_role_without_the_permission_tries(client, outsider, curator):
    post = PostFactory()
    client.force_login(outsider)
    client.post(reverse("curation:entry_decide", args=["post", post.pk]), {"action": "approve"})
    post.refresh_from_db()
    assert post.moderation_state == "pending"
    event = TimelineEventFactory()
    client.force_login(curator)
    response = client.post(
        reverse("curation:entry_decide", args=["event", event.pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.moderation_state == "pending"


def test_the_takedown_form_is_public(client):
    assert client.get(reverse("curation:takedown_form")).status_code == 200


def test_the_groups_command_is_idempotent_and_ranks_the_roles(groups):
    from django.core.management import call_command

    call_command("curation_groups", stdout=__import__("io").StringIO())
    perms = {
        name: set(group.permissions.values_list("codename", flat=True))
        for name, group in groups.items()
    }
    assert "moderate_entries" in perms["Curator"]
    assert "manage_rules" not in perms["Curator"]
    assert perms["Curator"] < perms["Editor"] < perms["Admin"]
    assert {"manage_rules", "edit_timeline"} <= perms["Editor"]


def test_migrate_leaves_the_groups_in_place(db):
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {"Curator", "Editor", "Admin"}
    assert Group.objects.get(name="Editor").permissions.filter(codename="manage_rules").exists()


def test_the_groups_command_puts_people_in_groups(django_user_model):
    import io

    from django.core.management import CommandError, call_command

    user = django_user_model.objects.create_user("newcurator")
    call_command("curation_groups", "--member", "newcurator", "Admin", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.is_staff and user.has_perm("curation.manage_rules")
    with pytest.raises(CommandError, match="No user"):
        call_command("curation_groups", "--member", "nobody", "Curator", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No group"):
        call_command("curation_groups", "--member", "newcurator", "Boss", stdout=io.StringIO())


def test_a_curator_cannot_rerun_an_editors_failed_job_on_events(client, curator, editor):
    from apps.curation.models import BulkAction, JobState

    event = TimelineEventFactory()
    job = bulk_action_start(action="approve", kind="event", filters={}, reason="", actor=editor)
    BulkAction.objects.filter(pk=job.pk).update(state=JobState.FAILED, error="broker down")
    client.force_login(curator)
    response = client.post(reverse("curation:bulk_retry", args=[job.pk]))
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    event.refresh_from_db()
    assert event.moderation_state == "pending"


def test_a_curator_cannot_withdraw_an_event_through_a_takedown(client, curator):
    from apps.curation.models import TakedownRequest

    event = TimelineEventFactory(published=True)
    takedown = takedown_submit(
        entry_url=f"/events/{event.slug}/", entry_kind="event", entry_id=event.pk,
        requester_name="R", relation="subject", reason="me", contact="r@example.org",
    )  # fmt: skip
    client.force_login(curator)
    page = client.get(reverse("curation:takedown", args=[takedown.pk]))
    assert b"ask an Editor to grant" in page.content
    response = client.post(reverse("curation:takedown_decide", args=[takedown.pk, "grant"]))
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.moderation_state == "published"
    assert TakedownRequest.objects.get(pk=takedown.pk).is_open
