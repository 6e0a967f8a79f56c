"""Template filters for the curators' pages."""

from django import template

from apps.archive.templatetags.archive_tags import http_url

register = template.Library()
register.filter("http_url", http_url)
