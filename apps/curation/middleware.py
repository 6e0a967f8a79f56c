from django.shortcuts import render

from apps.curation.public import EntryWithdrawn


class WithdrawnEntryMiddleware:
    """Answer 410 Gone, with a short notice and no content, for a withdrawn entry's page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, EntryWithdrawn):
            response = render(request, "curation/gone.html", status=410)
            response["Cache-Control"] = "no-store"
            return response
        return None
