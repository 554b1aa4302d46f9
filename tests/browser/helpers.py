"""What the browser tests do the same way: logging in through the real login form."""

from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD


def log_in(page, phone: str, password: str = DEFAULT_PASSWORD, *, admin: bool = False) -> None:
    """Fills the workspace login form (or admin's) and submits it as a person does, with Enter."""
    page.goto(reverse("admin:login") if admin else reverse("accounts:login"))
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
