"""The regulator's dashboard on the admin home page."""

from typing import Any

from django.http import HttpRequest


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    return {}
