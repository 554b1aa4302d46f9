"""The regulators' admin navigation: Django's app list regrouped by the manual's modules, with a badge of
what waits for review beside each model.

Django lists apps alphabetically by verbose name, which in Chinese is code-point order and means
nothing to a regulator. Here the models are grouped as the apps declared with
`sujt.core.modules.register_admin_group` (undeclared ones fall under 系统), the groups follow
ADMIN_GROUPS, empty groups are dropped, and models keep the order their admin was registered in.

The badges cost one COUNT per review queue the user sees (`review_queues_for`), computed only when a
template first reads them and at most once per request: the admin home page and the sidebar share them,
and a page without the sidebar (a popup) runs none.
"""

from collections import defaultdict
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from django.http import HttpRequest

from sujt.core.modules import ADMIN_GROUPS, admin_group_of
from sujt.core.registries import QueueCount, review_queues, review_queues_for

_REQUEST_ATTR = "_sujt_admin_pending"


class PendingCounts:
    """The user's review queues by model (`app_label.model_name`), counted on first use."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def all(self) -> list[QueueCount]:
        return review_queues_for(user=self.user)

    @cached_property
    def by_model(self) -> dict[str, list[QueueCount]]:
        model_of = {queue.key: queue.model._meta.label_lower for queue in review_queues()}
        grouped: dict[str, list[QueueCount]] = defaultdict(list)
        for count in self.all:
            grouped[model_of[count.key]].append(count)
        return dict(grouped)


def pending_counts(request: HttpRequest) -> PendingCounts:
    """The request's pending counts, shared by every caller during the request (the dashboard may
    read `.all` for its queue list without counting again)."""
    counts = getattr(request, _REQUEST_ATTR, None)
    if counts is None:
        counts = PendingCounts(request.user)
        setattr(request, _REQUEST_ATTR, counts)
    return counts


class ModelQueues:
    """The non-empty queues of one model, for a template's {% for %}; counted when first iterated."""

    def __init__(self, counts: PendingCounts, label: str) -> None:
        self._counts = counts
        self._label = label

    def _items(self) -> list[QueueCount]:
        return [queue for queue in self._counts.by_model.get(self._label, []) if queue.count]

    def __iter__(self) -> Iterator[QueueCount]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __bool__(self) -> bool:
        return bool(self._items())


def _is_current(url: str | None, path: str) -> bool:
    return bool(url) and path.startswith(url)


def _with_queues(model: dict[str, Any], *, counts: PendingCounts, path: str) -> dict[str, Any]:
    opts = model["model"]._meta
    return {
        **model,
        "app_label": opts.app_label,
        "current": _is_current(model.get("admin_url"), path),
        "queues": ModelQueues(counts, opts.label_lower),
    }


def app_with_queues(app: dict[str, Any], *, request: HttpRequest) -> dict[str, Any]:
    """One of Django's app entries (an app's own page) with the same model keys as grouped_app_list."""
    counts = pending_counts(request)
    return {
        **app,
        "models": [_with_queues(model, counts=counts, path=request.path) for model in app["models"]],
    }


def grouped_app_list(app_dict: dict[str, dict[str, Any]], *, request: HttpRequest) -> list[dict[str, Any]]:
    """Django's app dictionary (`AdminSite._build_app_dict`) as groups in ADMIN_GROUPS order.

    Each group has the keys of one of Django's app entries (name, app_label, app_url, models,
    has_module_perms), so Django's own templates still render it, plus `key` and `current`. Each model
    entry gains `app_label`, `current` and `queues` (its waiting review queues with count and url)."""
    counts = pending_counts(request)
    path = request.path
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    first_app: dict[str, dict[str, Any]] = {}
    for app in app_dict.values():
        for model in app["models"]:
            opts = model["model"]._meta
            group = admin_group_of(opts.app_label, opts.model_name)
            members[group.key].append(_with_queues(model, counts=counts, path=path))
            first_app.setdefault(group.key, app)
    groups = []
    for group in ADMIN_GROUPS:
        models = members.get(group.key)
        if not models:
            continue
        groups.append(
            {
                "key": group.key,
                "name": group.title,
                "app_label": f"group-{group.key}",
                "app_url": first_app[group.key]["app_url"],
                "has_module_perms": True,
                "models": models,
                "current": any(model["current"] for model in models),
            }
        )
    return groups
