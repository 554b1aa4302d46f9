"""Template tags of module 05."""

from django import template
from django.urls import NoReverseMatch, reverse

from ..views import SECTION_TABS

register = template.Library()


@register.simple_tag(takes_context=True)
def credit_tabs(context) -> list[dict]:
    """The section's tabs, the one whose URL starts the current path marked active."""
    path = context["request"].path
    tabs = []
    for name, title in SECTION_TABS:
        try:
            tabs.append({"url": reverse(name), "title": title})
        except NoReverseMatch:  # an area whose pages are not there yet
            continue
    best = max((tab["url"] for tab in tabs if path.startswith(tab["url"])), key=len, default="")
    for tab in tabs:
        tab["active"] = tab["url"] == best
    return tabs
