"""Site facts for templates rendered without a request context (the 500 page): settings only."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def support_contact() -> dict:
    """settings.SUPPORT_CONTACT, e.g. {% support_contact as SUPPORT_CONTACT %}."""
    return settings.SUPPORT_CONTACT


@register.filter
def absolute(value: int | None) -> int | None:
    """|absolute: a number without its sign ("已逾期 3 天" from days_left == -3)."""
    return None if value is None else abs(value)
