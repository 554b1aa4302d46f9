"""`{% page_window page %}`: the page numbers the pagination partial links to."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_window(page: Page, on_each_side: int = 2) -> range:
    """The numbers within `on_each_side` of the current page, never the whole page range: a list of
    200,000 capabilities has 10,000 pages, and looping over them would dominate the page's render time."""
    first = max(1, page.number - on_each_side)
    last = min(page.paginator.num_pages, page.number + on_each_side)
    return range(first, last + 1)
