"""Where the navigation comes from: the workspace's eight modules and the portal's channels.

DESIGN §1 fixes the eight workspace modules and their order. An app opens its module by registering its
entry point from its AppConfig.ready():

    register_module("05", url_name="credit:home", perm="manage_credit", available=credit_applies)

A module nobody has registered yet is listed as plain text marked "未开通". A registered module the user
lacks the permission for, or the institution is not eligible for (`available(institution)` is false), is
not listed at all. 系统管理 holds titled entries registered with `register_system_entry`; the section is
shown only when one of them is visible.

The portal's channels work the same way with `register_portal_link`. Nothing here imports an app:
permissions arrive as a set of codenames computed by the caller.

Beside its navigation entry an app declares what regulators get and review, with
`sujt.core.registries.register_regulator_permissions` and `register_review_queue` (kept apart from
navigation: they concern admin, not the workspace).

The regulators' admin groups its sidebar the same way: an app says which group its models belong to,

    register_admin_group("05", "credit")                    # every model of the app
    register_admin_group("08", "reporting.centerreport")    # one model, where an app spans two modules

and the admin lists the groups in ADMIN_GROUPS order. An app nobody placed falls under 系统.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Module:
    code: str
    title: str
    icon: str


MODULES: tuple[Module, ...] = (
    Module("01", "首页", "home"),
    Module("02", "机构风采管理", "building"),
    Module("03", "机构整改", "clipboard"),
    Module("04", "中心建设", "flag"),
    Module("05", "信用管理", "shield"),
    Module("06", "新闻资讯发布", "news"),
    Module("07", "技术机构运营数据填报", "chart"),
    Module("08", "中心运营数据填报", "database"),
)
MODULES_BY_CODE: dict[str, Module] = {module.code: module for module in MODULES}

SYSTEM_SECTION_TITLE = "系统管理"
SYSTEM_ICON = "gear"

# The portal's channels in header order; an app may add one with a title of its own.
PORTAL_CHANNELS: dict[str, str] = {
    "home": "首页",
    "news": "新闻资讯",
    "laws": "法律法规",
    "notices": "通知公告",
    "directory": "机构查询",
}

Availability = Callable[[Any], bool]


@dataclass(frozen=True)
class Entry:
    """What an app registered: where its module starts and who may see it."""

    url_name: str
    perm: str | None = None
    available: Availability | None = None
    title: str = ""


@dataclass(frozen=True)
class NavItem:
    """One line of a navigation menu, ready for a template."""

    key: str
    title: str
    icon: str = ""
    url: str = ""
    active: bool = False

    @property
    def opened(self) -> bool:
        """False for a module whose app has not registered yet (shown as "未开通")."""
        return bool(self.url)


_module_entries: dict[str, Entry] = {}
_system_entries: dict[str, Entry] = {}
_portal_links: dict[str, Entry] = {}


def register_module(
    code: str, *, url_name: str, perm: str | None = None, available: Availability | None = None
) -> None:
    """Opens module `code` ("01"…"08"): its menu entry links to `url_name`.

    `perm` is the module permission a member needs (None: every member); `available(institution)` says
    whether the institution may use the module at all (e.g. credit only with a Jiangsu CMA certificate).
    """
    if code not in MODULES_BY_CODE:
        raise ValueError(f"unknown module code: {code}")
    _module_entries[code] = Entry(url_name=url_name, perm=perm, available=available)


def register_system_entry(
    key: str, *, title: str, url_name: str, perm: str | None = None, available: Availability | None = None
) -> None:
    """Adds `title` under 系统管理, in registration order."""
    _system_entries[key] = Entry(url_name=url_name, perm=perm, available=available, title=title)


def register_portal_link(key: str, *, url_name: str, title: str = "") -> None:
    """Opens a portal channel. The five channels of PORTAL_CHANNELS keep their titles and order; a new
    key needs a title and is appended after them."""
    if key not in PORTAL_CHANNELS and not title:
        raise ValueError(f"a new portal channel needs a title: {key}")
    _portal_links[key] = Entry(url_name=url_name, title=title or PORTAL_CHANNELS[key])


def is_open(code: str) -> bool:
    """Whether module `code` has been registered by its app."""
    return code in _module_entries


def _visible(entry: Entry, *, institution: Any, perms: Collection[str]) -> bool:
    if entry.perm is not None and entry.perm not in perms:
        return False
    return entry.available is None or bool(entry.available(institution))


def _matches(url: str, path: str) -> bool:
    # The site root prefixes every path: it is active only on itself.
    return bool(url) and (path == url if url == "/" else path.startswith(url))


def _mark_active(items: list[NavItem], path: str) -> list[NavItem]:
    """The item whose url is the longest prefix of `path` is the active one."""
    best = None
    for item in items:
        if _matches(item.url, path) and (best is None or len(item.url) > len(best.url)):
            best = item
    return [replace(item, active=True) if item is best else item for item in items]


@dataclass(frozen=True)
class WorkspaceNav:
    modules: list[NavItem]
    system: list[NavItem]


def workspace_nav(*, institution: Any, perms: Collection[str], path: str = "") -> WorkspaceNav:
    """The left navigation for a member of `institution` holding the module permissions `perms`."""
    modules: list[NavItem] = []
    for module in MODULES:
        entry = _module_entries.get(module.code)
        if entry is None:
            modules.append(NavItem(key=module.code, title=module.title, icon=module.icon))
        elif _visible(entry, institution=institution, perms=perms):
            modules.append(
                NavItem(key=module.code, title=module.title, icon=module.icon, url=reverse(entry.url_name))
            )
    system = [
        NavItem(key=key, title=entry.title, icon=SYSTEM_ICON, url=reverse(entry.url_name))
        for key, entry in _system_entries.items()
        if _visible(entry, institution=institution, perms=perms)
    ]
    marked = _mark_active(modules + system, path)
    return WorkspaceNav(modules=marked[: len(modules)], system=marked[len(modules) :])


def portal_nav(*, path: str = "") -> list[NavItem]:
    """The portal header's channels; a channel nobody registered yet has no url ("未开通")."""
    items = [
        NavItem(
            key=key, title=title, url=reverse(_portal_links[key].url_name) if key in _portal_links else ""
        )
        for key, title in PORTAL_CHANNELS.items()
    ]
    items += [
        NavItem(key=key, title=entry.title, url=reverse(entry.url_name))
        for key, entry in _portal_links.items()
        if key not in PORTAL_CHANNELS
    ]
    return _mark_active(items, path)


# --- The regulators' admin: sidebar groups ---------------------------------------------------------


@dataclass(frozen=True)
class AdminGroup:
    key: str
    title: str


# The manual's module order, then accounts and the platform's own tables. 07 and 08 share one group:
# one app (reporting) serves both, and a regulator looks for "the reports" in one place.
ADMIN_GROUPS: tuple[AdminGroup, ...] = (
    AdminGroup("02", MODULES_BY_CODE["02"].title),
    AdminGroup("03", MODULES_BY_CODE["03"].title),
    AdminGroup("04", MODULES_BY_CODE["04"].title),
    AdminGroup("05", MODULES_BY_CODE["05"].title),
    AdminGroup("06", MODULES_BY_CODE["06"].title),
    AdminGroup("07", "运营数据填报"),
    AdminGroup("accounts", "账号与权限"),
    AdminGroup("system", "系统"),
)
ADMIN_GROUPS_BY_KEY: dict[str, AdminGroup] = {group.key: group for group in ADMIN_GROUPS}
ADMIN_GROUP_ALIASES = {"08": "07"}  # 08 中心运营数据 is kept with 07
DEFAULT_ADMIN_GROUP = "system"

_admin_groups: dict[str, str] = {}  # "app_label" or "app_label.model_name" -> group key


def register_admin_group(group: str, *targets: str) -> None:
    """Places the admin models of each target ("app_label", or "app_label.model_name" for one model)
    under `group` (a key of ADMIN_GROUPS, or "08")."""
    key = ADMIN_GROUP_ALIASES.get(group, group)
    if key not in ADMIN_GROUPS_BY_KEY:
        raise ValueError(f"unknown admin group: {group}")
    for target in targets:
        _admin_groups[target.lower()] = key


def admin_group_of(app_label: str, model_name: str) -> AdminGroup:
    """The group a model's admin is listed under: its own declaration, else its app's, else 系统."""
    key = _admin_groups.get(f"{app_label}.{model_name}".lower()) or _admin_groups.get(app_label.lower())
    return ADMIN_GROUPS_BY_KEY[key or DEFAULT_ADMIN_GROUP]
