"""Template context for every page (`site`) and for logged-in users (`workspace`).

`site` never queries the database. `workspace` is lazy: nothing is queried until a template reads it,
and then a bounded number of queries (memberships, current membership, module permissions, unread count)
whatever the data, plus one `available()` check per opened module.
"""

from functools import cached_property

from django.conf import settings
from django.http import HttpRequest

from sujt.core.modules import WorkspaceNav, portal_nav, workspace_nav

from .accessibility import a11y_from_cookie


def site(request: HttpRequest) -> dict:
    a11y = a11y_from_cookie(request)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_SHORT_NAME": settings.SITE_SHORT_NAME,
        "SUPPORT_CONTACT": settings.SUPPORT_CONTACT,
        "a11y": a11y,
        "a11y_classes": a11y.html_classes,
        # A page outside its channel's path (an article at /articles/1/) names the channel's path in
        # request.nav_path so that the header still marks where the reader is.
        "portal_links": portal_nav(path=getattr(request, "nav_path", request.path)),
    }


class Workspace:
    """What the workspace header and navigation show, computed on first use."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def membership(self):
        from sujt.accounts.selectors import current_membership

        return current_membership(request=self.request)

    @cached_property
    def institution(self):
        return self.membership.institution if self.membership else None

    @cached_property
    def memberships(self) -> list:
        """Every institution the user may switch to (the switcher appears with two or more)."""
        from sujt.accounts.selectors import memberships_of

        return list(memberships_of(user=self.request.user))

    @cached_property
    def perms(self) -> frozenset[str]:
        from .navigation import module_perms

        return module_perms(membership=self.membership) if self.membership else frozenset()

    @cached_property
    def nav(self) -> WorkspaceNav | None:
        if self.membership is None:
            return None
        return workspace_nav(institution=self.institution, perms=self.perms, path=self.request.path)

    @cached_property
    def unread_count(self) -> int:
        from sujt.core.notifications import unread_count

        return unread_count(user=self.request.user)


def workspace(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"workspace": Workspace(request)}
