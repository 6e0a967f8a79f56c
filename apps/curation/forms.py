"""Curators' and visitors' forms: validation and parsing only."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.urls import Resolver404, resolve

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core.moderation import EntryKind
from apps.core.public import public_entry_id
from apps.curation.models import BulkActionKind, RuleScope, TakedownRelation
from apps.curation.services import post_links
from apps.timeline.models import TimelineEvent

REASON_MAX = 2000


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=BulkActionKind.choices)
    reason = forms.CharField(required=False, max_length=REASON_MAX)

    def clean(self):
        data = super().clean()
        if data.get("action") == BulkActionKind.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason for rejecting.")
        return data


class BulkForm(DecideForm):
    """Approve or reject a selection (``ids``) or everything the filters match (``scope=all``)."""

    scope = forms.ChoiceField(
        choices=[("selected", "The selected entries"), ("all", "Every entry the filters match")]
    )
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id the database can hold is a valid choice; the service only touches pending
        # entries, so ids of other or vanished entries change nothing.
        self.fields["ids"].valid_value = lambda value: (
            str(value).isdigit() and 0 < int(value) < 2**63
        )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("ids"):
            self.add_error("ids", "Select at least one entry, or choose every matching entry.")
        return data


class PostEditForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["text", "media_text", "language"]


class ArticleEditForm(forms.ModelForm):
    class Meta:
        model = SourceArticle
        fields = ["title", "excerpt", "language"]


class EventEditForm(forms.ModelForm):
    class Meta:
        model = TimelineEvent
        fields = ["title", "summary", "date", "date_precision", "date_end"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "date_end": forms.DateInput(attrs={"type": "date"}),
        }


EDIT_FORMS = {
    EntryKind.POST: PostEditForm,
    EntryKind.ARTICLE: ArticleEditForm,
    EntryKind.EVENT: EventEditForm,
}


class WarningForm(forms.Form):
    content_warning = forms.CharField(
        required=False,
        max_length=200,
        label="Content warning",
        help_text="e.g. “describes sexual assault”. Leave empty to remove the warning.",
    )


class HandleForm(forms.Form):
    handle_visible = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("1", "Show"), ("0", "Hide")], required=False
    )
    is_public_figure = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("1", "Yes"), ("0", "No")], required=False
    )


class EvidenceForm(forms.Form):
    event = forms.ModelChoiceField(
        queryset=TimelineEvent.objects.order_by("date", "position", "id").only(
            "id", "title", "date", "date_precision", "date_end", "slug"
        ),
        label="Timeline event",
    )


class RuleForm(forms.Form):
    """A new publication rule. The target is named as a curator knows it (an account's handle,
    an outlet's domain) or by its id; ``clean`` turns it into ``target_id``."""

    scope = forms.ChoiceField(choices=RuleScope.choices)
    target = forms.CharField(
        max_length=300,
        help_text="An account as @handle or platform:handle, an outlet by its domain "
        "(www.example.com), a feed by its id; any of them by id.",
    )
    description = forms.CharField(max_length=300, help_text="Why this source is trusted.")

    def clean(self):
        data = super().clean()
        scope, target = data.get("scope"), data.get("target", "").strip()
        if not scope or not target:
            return data
        if target.isdigit():
            data["target_id"] = int(target)
        elif scope == RuleScope.ACCOUNT:
            platform, _, handle = target.rpartition(":")
            accounts = Account.objects.filter(handle__iexact=handle.strip().lstrip("@"))
            if platform:
                accounts = accounts.filter(platform=platform.strip().lower())
            ids = list(accounts.values_list("pk", flat=True)[:2])
            if len(ids) == 1:
                data["target_id"] = ids[0]
            elif ids:
                self.add_error(
                    "target", "Several accounts have this handle: write platform:handle."
                )
            else:
                self.add_error("target", "No account in the archive has this handle.")
        elif scope == RuleScope.OUTLET:
            domain = urlsplit(target if "//" in target else f"//{target}").netloc.lower()
            outlet_id = (
                Outlet.objects.filter(domain__iexact=domain).values_list("pk", flat=True).first()
            )
            if outlet_id is None:
                self.add_error("target", "No outlet in the archive has this domain.")
            else:
                data["target_id"] = outlet_id
        else:
            self.add_error("target", "Give the feed's id (a number).")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=REASON_MAX, widget=forms.Textarea)


class TakedownForm(forms.Form):
    """A visitor's request. ``entry_url`` must be a link to an entry of this archive."""

    entry_url = forms.CharField(
        max_length=1000,
        label="Link to the entry",
        help_text="Copy the address of the post, article, event or account page.",
    )
    requester_name = forms.CharField(max_length=200, label="Your name")
    relation = forms.ChoiceField(
        choices=TakedownRelation.choices,
        widget=forms.RadioSelect,
        label="Your relation to the entry",
    )
    reason = forms.CharField(
        max_length=5000, widget=forms.Textarea, label="Why it should be withdrawn"
    )
    contact = forms.EmailField(
        max_length=254, label="Your email address", help_text="Only curators see it."
    )
    thread_requested = forms.BooleanField(
        required=False,
        label="For a post: also its replies and quotes (its thread)",
        help_text="Its replies and quotes, now and to come, are then held for a curator.",
    )

    def __init__(self, *args, request_host: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.request_host = request_host

    def clean_entry_url(self) -> str:
        value = self.cleaned_data["entry_url"].strip()
        parts = urlsplit(value)
        hosts = {self.request_host, urlsplit(settings.SITE_URL).netloc}
        if parts.netloc and parts.netloc not in hosts:
            raise forms.ValidationError("This is not a link to a page of this archive.")
        kind, entry_id = entry_from_path(parts.path or "/")
        if kind is None:
            raise forms.ValidationError(
                "This link is not to a post, article, event or account of this archive. "
                "A private person's account has no page of its own: link to one of its posts."
            )
        self.cleaned_data["entry_kind"], self.cleaned_data["entry_id"] = kind, entry_id
        return value


def entry_from_path(path: str) -> tuple[str | None, int | None]:
    """Which entry a public page's path shows: (kind, id), or (None, None) where that page is
    not found. Entries are looked up as their pages look them up, so that the form cannot tell
    whether a private person's handle, or an unpublished entry, is in the archive."""
    try:
        match = resolve(path)
    except Resolver404:
        if path.endswith("/"):
            return None, None
        return entry_from_path(path + "/")  # a link copied without its trailing slash
    lookups = {
        "archive:post": (EntryKind.POST, Post.objects.all(), lambda kw: {"pk": kw["pk"]}),
        "archive:article": (
            EntryKind.ARTICLE,
            SourceArticle.objects.all(),
            lambda kw: {"pk": kw["pk"]},
        ),
        "timeline:event": (
            EntryKind.EVENT,
            TimelineEvent.objects.all(),
            lambda kw: {"slug": kw["slug"]},
        ),
        "archive:account": (
            EntryKind.ACCOUNT,
            Account.objects.with_public_page(),
            lambda kw: {"platform": kw["platform"], "handle": kw["handle"]},
        ),
    }
    found = lookups.get(match.view_name)
    if found is None:
        return None, None
    kind, queryset, lookup = found
    entry_id = public_entry_id(queryset, **lookup(match.kwargs))
    return (kind, entry_id) if entry_id is not None else (None, None)


class TakedownStatusForm(forms.Form):
    """A requester looks up their request: both the reference and the email address given."""

    reference = forms.CharField(max_length=20, label="Reference number")
    contact = forms.EmailField(max_length=254, label="Your email address")

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class TokenForm(forms.Form):
    """A six-digit code from the curator's authenticator app."""

    token = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is made of digits only.")
        return token


class CaptureLinkForm(forms.Form):
    """A link of a post to capture: one of the links written in the post, nothing else."""

    url = forms.ChoiceField(label="Link")

    def __init__(self, *args, post: Post, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].choices = [(link, link) for link in post_links(post.text)]
        self.fields["url"].error_messages["invalid_choice"] = (
            "Only a link written in the post can be captured."
        )

    @property
    def links(self) -> list[str]:
        return [value for value, _ in self.fields["url"].choices]
