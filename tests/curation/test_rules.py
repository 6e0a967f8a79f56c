"""Publication rules: at ingestion, on request over the queue, and managed by editors."""

import pytest
from django.urls import reverse

from apps.curation.models import (
    ModerationDecision,
    PublicationRule,
    RuleApplication,
    RuleScope,
    RuleTrigger,
)
from apps.curation.services import (
    CurationError,
    publication_rule_apply_to_queue,
    publication_rules_apply,
)
from tests.factories import AccountFactory, PostFactory, SourceArticleFactory

pytestmark = pytest.mark.django_db


def test_rules_publish_at_ingestion_and_each_application_is_logged():
    figure = AccountFactory(is_public_figure=True)
    account_rule = PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=figure.pk, description="Public figure"
    )
    feed_rule = PublicationRule.objects.create(
        scope=RuleScope.FEED, target_id=5, description="Trusted outlet's feed"
    )
    # A batch as ingestion hands it over: new pending posts and articles from feed 5.
    by_figure = PostFactory.create_batch(2, account=figure)
    article = SourceArticleFactory()

    published = publication_rules_apply(
        post_ids=[p.pk for p in by_figure], article_ids=[article.pk], feed_id=5
    )

    assert published == 3
    # The feed rule came first and published everything in the batch.
    applications = {a.rule_id: a for a in RuleApplication.objects.all()}
    assert set(applications) == {feed_rule.pk}
    assert applications[feed_rule.pk].published == 3
    assert applications[feed_rule.pk].trigger == RuleTrigger.INGESTION
    assert ModerationDecision.objects.filter(rule=feed_rule, actor=None).count() == 3

    # The next batch comes from another feed: only the account rule applies.
    more = PostFactory.create_batch(2, account=figure)
    stranger = PostFactory()
    assert publication_rules_apply(post_ids=[p.pk for p in [*more, stranger]], feed_id=6) == 2
    assert RuleApplication.objects.get(rule=account_rule).published == 2
    stranger.refresh_from_db()
    assert stranger.moderation_state == "pending"


def test_a_batch_no_rule_covers_logs_no_application():
    posts = PostFactory.create_batch(2)
    assert publication_rules_apply(post_ids=[p.pk for p in posts], feed_id=1) == 0
    assert not RuleApplication.objects.exists()


def test_an_editor_creates_a_rule_and_applies_it_to_the_existing_queue(editor_client, editor):
    outlet_articles = SourceArticleFactory.create_batch(3)
    outlet = outlet_articles[0].outlet
    for article in outlet_articles[1:]:
        article.outlet = outlet
        article.save()
    other = SourceArticleFactory()

    response = editor_client.post(
        reverse("curation:rules"),
        {"scope": "outlet", "target": outlet.pk, "description": "Trusted outlet"},
    )
    assert response.status_code == 302
    rule = PublicationRule.objects.get()
    assert rule.created_by == editor

    editor_client.post(reverse("curation:rule_apply", args=[rule.pk]))

    application = RuleApplication.objects.get()
    assert (application.trigger, application.actor, application.published) == (
        RuleTrigger.QUEUE,
        editor,
        3,
    )
    other.refresh_from_db()
    assert other.moderation_state == "pending"
    page = editor_client.get(reverse("curation:rules")).content.decode()
    assert "Trusted outlet" in page and "3 published" in page


def test_applying_to_the_queue_works_in_chunks(editor):
    figure = AccountFactory()
    PostFactory.create_batch(5, account=figure)
    rule = PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=figure.pk, description="x"
    )
    assert publication_rule_apply_to_queue(rule_id=rule.pk, actor=editor, chunk_size=2) == 5


def test_a_rule_for_a_missing_target_or_a_duplicate_is_refused_with_a_message(editor_client):
    response = editor_client.post(
        reverse("curation:rules"), {"scope": "account", "target": 999999, "description": "x"}
    )
    assert response.status_code == 400
    assert "There is no account with id 999999" in response.content.decode()
    account = AccountFactory()
    data = {"scope": "account", "target": account.pk, "description": "x"}
    editor_client.post(reverse("curation:rules"), data)
    response = editor_client.post(reverse("curation:rules"), data)
    assert response.status_code == 400
    assert PublicationRule.objects.count() == 1


def test_switched_off_and_feed_rules_are_not_applied_to_the_queue(editor):
    feed_rule = PublicationRule.objects.create(scope=RuleScope.FEED, target_id=3, description="f")
    with pytest.raises(CurationError, match="Feed rules"):
        publication_rule_apply_to_queue(rule_id=feed_rule.pk, actor=editor)
    account = AccountFactory()
    PostFactory(account=account)
    off = PublicationRule.objects.create(
        scope=RuleScope.ACCOUNT, target_id=account.pk, description="a", active=False
    )
    with pytest.raises(CurationError, match="switched off"):
        publication_rule_apply_to_queue(rule_id=off.pk, actor=editor)
    assert not RuleApplication.objects.exists()


def test_a_rule_names_its_target_as_a_curator_knows_it(editor_client):
    from tests.factories import OutletFactory

    figure = AccountFactory(handle="TaranaBurke", platform="twitter")
    AccountFactory(handle="same", platform="twitter")
    AccountFactory(handle="same", platform="mastodon")
    outlet = OutletFactory(domain="www.nytimes.com")
    url = reverse("curation:rules")

    editor_client.post(url, {"scope": "account", "target": "@taranaburke", "description": "a"})
    editor_client.post(
        url, {"scope": "outlet", "target": "https://www.nytimes.com/x", "description": "o"}
    )
    ambiguous = editor_client.post(url, {"scope": "account", "target": "same", "description": "x"})
    editor_client.post(url, {"scope": "account", "target": "mastodon:same", "description": "m"})
    feed = editor_client.post(url, {"scope": "feed", "target": "nytimes", "description": "f"})

    assert "write platform:handle" in ambiguous.content.decode()
    assert "feed&#x27;s id" in feed.content.decode()
    rules = {r.description: r.target_id for r in PublicationRule.objects.all()}
    assert rules["a"] == figure.pk
    assert rules["o"] == outlet.pk
    assert rules["m"] == AccountFactory._meta.model.objects.get(platform="mastodon").pk
    assert set(rules) == {"a", "o", "m"}


def test_the_rules_page_names_targets_in_a_fixed_number_of_queries(
    editor_client, django_assert_max_num_queries
):
    from tests.factories import OutletFactory

    figure = AccountFactory(handle="figure")
    PublicationRule.objects.create(scope=RuleScope.ACCOUNT, target_id=figure.pk, description="a")
    PublicationRule.objects.create(scope=RuleScope.FEED, target_id=12, description="f")
    editor_client.get(reverse("curation:rules"))
    for n in range(5):
        outlet = OutletFactory()
        PublicationRule.objects.create(scope=RuleScope.OUTLET, target_id=outlet.pk, description=n)
    with django_assert_max_num_queries(9):
        page = editor_client.get(reverse("curation:rules")).content.decode()
    assert "@figure (twitter)" in page and "#12" in page and outlet.domain in page


def test_an_editor_makes_a_rule_from_a_posts_curator_view_and_a_curator_cannot(
    editor_client, curator, client
):
    post = PostFactory()
    view = editor_client.get(reverse("curation:entry", args=["post", post.pk])).content.decode()
    assert "Make a publication rule" in view
    editor_client.post(
        reverse("curation:rules"),
        {"scope": "account", "target": post.account_id, "description": "Public figure"},
    )
    assert PublicationRule.objects.get().target_id == post.account_id
    client.force_login(curator)
    view = client.get(reverse("curation:entry", args=["post", post.pk])).content.decode()
    assert "Make a publication rule" not in view
