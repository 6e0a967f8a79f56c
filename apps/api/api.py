"""The read API, version 1 (django-ninja): ``/api/v1/``, its schema at ``/api/v1/openapi.json``
and its documentation at ``/api/v1/docs``.

Every endpoint reads what the public pages read and shows what they show (apps.api.presenting):
published entries only, a withdrawn one answering 410 with its page's notice. Views stay thin:
the search and the timeline are the pages' own (apps.search).
"""

from __future__ import annotations

import orjson
from django.conf import settings
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.renderers import BaseRenderer

from apps.api import routes
from apps.api.auth import OptionalApiKey, RateLimit
from apps.core.public import WITHDRAWN_NOTICE, EntryWithdrawn

DESCRIPTION = f"""
Read access to everything public in {settings.SITE_NAME}: posts, articles, accounts, outlets and
timeline events, the search with the search page's query language and filters, the timeline's
volume counts, citations and web captures.

The same rules as the pages apply: only published entries; a private person is named by a
pseudonym and their handle, profile, post ids and original links are never given; a withdrawn
entry answers **410 Gone** with the notice its page shows.

Anonymous use is limited to {settings.API_ANON_RATE} per client address; a curator's key, sent
as the `X-API-Key` header, to {settings.API_KEY_RATE}. Over the limit: **429** with
`Retry-After` (seconds). Lists and searches page by cursor: follow each answer's `next`.
"""


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request, data, *, response_status):
        return orjson.dumps(data)


api = NinjaAPI(
    title=f"{settings.SITE_NAME} API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=OptionalApiKey(),
    throttle=[RateLimit()],
    renderer=ORJSONRenderer(),
    docs=Swagger(settings={"defaultModelsExpandDepth": 0}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(EntryWithdrawn)
def withdrawn(request, exc):
    response = api.create_response(
        request, {"detail": WITHDRAWN_NOTICE, "withdrawn": True}, status=410
    )
    response["Cache-Control"] = "no-store"
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found in the public archive."}, status=404)


api.add_router("", routes.router)
