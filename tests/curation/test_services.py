import pytest
from django.db import DatabaseError, transaction

from apps.core.moderation import ModerationState
from apps.curation.models import ModerationDecision, PublicationRule, RuleScope
from apps.curation.services import entries_transition, publication_rules_apply
from tests.factories import AccountFactory, PostFactory, SourceArticleFactory

pytestmark = pytest.mark.django_db


def test_a_transition_changes_state_and_logs_one_decision_per_entry(django_user_model):
    curator = django_user_model.objects.create_user("curator")
    posts = [PostFactory(), PostFactory()]
    changed = entries_transition(
        kind="post", ids=[p.pk for p in posts], to_state="published", actor=curator, reason="ok"
    )
    assert changed == 2
    decisions = ModerationDecision.objects.filter(entry_kind="post")
    assert {(d.entry_id, d.from_state, d.to_state, d.actor_id) for d in decisions} == {
        (p.pk, "pending", "published", curator.pk) for p in posts
    }
    # Repeating the same transition changes and logs nothing.
    assert entries_transition(kind="post", ids=[p.pk for p in posts], to_state="published") == 0
    assert ModerationDecision.objects.count() == 2


def test_decisions_cannot_be_changed_or_deleted_by_the_application():
    post = PostFactory()
    entries_transition(kind="post", ids=[post.pk], to_state="rejected", reason="spam")
    decision = ModerationDecision.objects.get()
    decision.reason = "rewritten"
    with pytest.raises(TypeError):
        decision.save()
    with pytest.raises(TypeError):
        decision.delete()
    with pytest.raises(TypeError):
        ModerationDecision.objects.all().delete()
    with pytest.raises(TypeError):
        ModerationDecision.objects.update(reason="x")


def test_decisions_cannot_be_changed_in_the_database_either():
    post = PostFactory()
    entries_transition(kind="post", ids=[post.pk], to_state="rejected")
    from django.db import connection

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE curation_moderationdecision SET reason = 'x'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM curation_moderationdecision")
    assert ModerationDecision.objects.count() == 1


def test_an_account_rule_publishes_that_accounts_pending_posts_only():
    figure = AccountFactory(published=True, is_public_figure=True)
    rule = PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=figure.pk, description="Public figure"
    )
    covered = PostFactory(account=figure)
    rejected_before = PostFactory(account=figure, moderation_state=ModerationState.REJECTED)
    other = PostFactory()

    published = publication_rules_apply(post_ids=[covered.pk, rejected_before.pk, other.pk])

    assert published == 1
    covered.refresh_from_db()
    other.refresh_from_db()
    rejected_before.refresh_from_db()
    assert covered.moderation_state == "published"
    assert other.moderation_state == "pending"
    assert rejected_before.moderation_state == "rejected"
    assert ModerationDecision.objects.get(entry_id=covered.pk).rule == rule


def test_an_outlet_rule_publishes_articles_and_a_feed_rule_publishes_all_of_a_batch():
    article = SourceArticleFactory()
    PublicationRule.objects.create(
        scope=RuleScope.OUTLET, target_id=article.outlet_id, description="Trusted outlet"
    )
    assert publication_rules_apply(article_ids=[article.pk]) == 1

    posts = [PostFactory(), PostFactory()]
    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=77, description="Trusted feed")
    assert publication_rules_apply(post_ids=[p.pk for p in posts], feed_id=78) == 0
    assert publication_rules_apply(post_ids=[p.pk for p in posts], feed_id=77) == 2


def test_an_inactive_rule_publishes_nothing():
    post = PostFactory()
    PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=post.account_id, description="x", active=False
    )
    assert publication_rules_apply(post_ids=[post.pk]) == 0
