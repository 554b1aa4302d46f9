"""适老化 display preferences: large font and high contrast, kept in a cookie the server reads so the
page is rendered with the right classes on <html> from the first byte (no flash). The browser script
keeps the same value in localStorage and restores the cookie from it when the cookie is gone."""

from dataclasses import dataclass

from django.http import HttpRequest

A11Y_COOKIE = "sujt_a11y"
A11Y_OPTIONS = ("large", "contrast")
A11Y_COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class A11y:
    large: bool = False
    contrast: bool = False

    @property
    def html_classes(self) -> str:
        return " ".join(f"a11y-{option}" for option in A11Y_OPTIONS if getattr(self, option))

    @property
    def cookie_value(self) -> str:
        return ".".join(option for option in A11Y_OPTIONS if getattr(self, option))

    def toggled(self, option: str) -> "A11y":
        if option not in A11Y_OPTIONS:
            return self
        values = {name: getattr(self, name) for name in A11Y_OPTIONS}
        values[option] = not values[option]
        return A11y(**values)


def a11y_from_cookie(request: HttpRequest) -> A11y:
    tokens = set(request.COOKIES.get(A11Y_COOKIE, "").split("."))
    return A11y(**{option: option in tokens for option in A11Y_OPTIONS})
