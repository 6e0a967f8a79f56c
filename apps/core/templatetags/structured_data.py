"""``{% json_ld data %}``: schema.org data for search engines and other archives, as a
``<script type="application/ld+json">`` block.

The block is data, not script (browsers never run it, so the pages' CSP is untouched), but it
sits inside HTML: ``<``, ``>`` and ``&`` are escaped as JSON escapes, as Django's
``json_script`` does, so text from the outside world cannot close the element.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_HTML_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data: dict) -> str:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_HTML_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 -- escaped above
