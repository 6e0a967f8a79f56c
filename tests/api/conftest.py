import pytest

from apps.api.models import ApiKey
from apps.core.moderation import ModerationState
from tests.factories import (
    AccountFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

# Distinctive strings a private person's post carries: none may reach any machine surface.
PRIVATE_HANDLE = "quietsurvivor4417"
PRIVATE_PLATFORM_ID = "7730004417000000001"
PRIVATE_URL = f"https://twitter.com/{PRIVATE_HANDLE}/status/{PRIVATE_PLATFORM_ID}"


@pytest.fixture
def archive(db):
    """A small archive: a public figure's post, a private person's, unpublished entries of
    every kind, an article and an event with evidence."""
    figure = AccountFactory(
        published=True, handle="famous_actor", is_public_figure=True, display_name="A. Actor"
    )
    private = AccountFactory(published=True, handle=PRIVATE_HANDLE, display_name="Jane Roe")
    outlet = OutletFactory(name="Daily Record")
    public_post = PostFactory(
        published=True,
        account=figure,
        text="me too, said the actor",
        url="https://twitter.com/famous_actor/status/1",
    )
    private_post = PostFactory(
        published=True,
        account=private,
        text="me too, from someone private",
        platform_id=PRIVATE_PLATFORM_ID,
        url=PRIVATE_URL,
    )
    article = SourceArticleFactory(published=True, outlet=outlet, title="Me too spreads")
    event = TimelineEventFactory(published=True, title="The hashtag spreads")
    event.posts.add(public_post, private_post)
    event.articles.add(article)
    unpublished = {
        state: {
            "post": PostFactory(moderation_state=state, text=f"me too hidden {state} post"),
            "article": SourceArticleFactory(
                moderation_state=state, title=f"Me too hidden {state} article"
            ),
            "event": TimelineEventFactory(
                moderation_state=state, title=f"Me too hidden {state} event"
            ),
            "account": AccountFactory(
                moderation_state=state, handle=f"hidden_{state}", is_public_figure=True
            ),
        }
        for state in (
            ModerationState.PENDING,
            ModerationState.REJECTED,
            ModerationState.WITHDRAWN,
        )
    }
    return {
        "figure": figure,
        "private": private,
        "outlet": outlet,
        "public_post": public_post,
        "private_post": private_post,
        "article": article,
        "event": event,
        "unpublished": unpublished,
    }


@pytest.fixture
def api_key(superuser):
    key = ApiKey(name="notebook", owner=superuser)
    raw = key.assign_new_key()
    key.save()
    return key, raw
