"""How public pages fetch one entry: published, or 410 Gone for a withdrawn one, or 404."""

from django.http import Http404

from apps.core.moderation import ModerationState

# What a withdrawn entry's address answers, on its page (templates/curation/gone.html) and in
# the API alike.
WITHDRAWN_NOTICE = (
    "This entry has been withdrawn. The entry once published at this address was withdrawn from "
    "the public archive, following a takedown or consent request or a curator's decision. Its "
    "content is no longer shown anywhere in the archive."
)


class EntryWithdrawn(Exception):
    """Raised for an entry that was withdrawn: its old links answer 410 Gone with a notice."""

    def __init__(self, entry):
        super().__init__(str(entry.pk))
        self.entry = entry


# What a public page shows: a published entry, or the notice that it was withdrawn.
SHOWN_STATES = (ModerationState.PUBLISHED, ModerationState.WITHDRAWN)


def public_entry_id(queryset, **lookup) -> int | None:
    """The id of the entry whose public page ``lookup`` names, or None where that page is not
    found: what a visitor may learn of an entry's existence, and nothing more. ``queryset`` is
    the one the page reads from."""
    return (
        queryset.filter(moderation_state__in=SHOWN_STATES, **lookup)
        .values_list("pk", flat=True)
        .first()
    )


def get_public_or_gone(queryset, **lookup):
    """Return the published entry matching ``lookup``.

    A withdrawn entry raises :class:`EntryWithdrawn` (rendered as 410 by the middleware) so that
    citations of it still resolve to an explanation; anything else unpublished is simply not
    found.
    """
    entry = queryset.filter(moderation_state__in=SHOWN_STATES, **lookup).first()
    if entry is None:
        raise Http404("No such entry in the public archive.")
    if entry.moderation_state == ModerationState.WITHDRAWN:
        raise EntryWithdrawn(entry)
    return entry
