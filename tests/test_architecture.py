"""The dependency direction of DESIGN §3, checked on the source: nothing imports upward (or sideways).

core ← accounts ← institutions ← {rectification, centers, news, reporting} ← credit ← portal

A dependency is any of:
- an import statement, absolute or relative, at module level or lazily inside a function; in
  `from package import name` the name may be a submodule (`from sujt import accounts`);
- a module named in a string to `importlib.import_module`, `__import__` or `import_string`;
- an app label named in `apps.get_model` / `apps.get_app_config`;
- an app-qualified model string in a relation field (`ForeignKey("institutions.Institution")`);
- an app-qualified string naming a model or a permission of another app ("news.change_article").

The project package itself (sujt/__init__, settings, urls, celery, wsgi) and manage.py are the
composition root: they wire every app together, so they may import everything and are not checked;
so are the packages settings point Django at (locale formats).
Migrations are not checked either: they mirror the models, which are.
"""

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent

# app package -> level; an app may depend only on apps of a lower level.
LEVELS = {
    "sujt.core": 0,
    "sujt.accounts": 1,
    "institutions": 2,
    "rectification": 3,
    "centers": 3,
    "news": 3,
    "reporting": 3,
    "credit": 4,
    "sujt.portal": 5,
}

COMPOSITION_ROOT = {
    "manage",
    "sujt",
    "sujt.settings",
    "sujt.settings_test",
    "sujt.urls",
    "sujt.celery",
    "sujt.wsgi",
}
# Packages of the project that settings point Django at and that import no app (their modules too).
SETTINGS_PACKAGES = {"sujt.formats"}  # FORMAT_MODULE_PATH
# Directories of the repository that hold Python but are no part of the running platform.
NOT_PLATFORM = {"tests", "docs"}

MODULE_LOADERS = {"import_module", "__import__", "import_string"}
APP_LOOKUPS = {"get_model", "get_app_config"}
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField", "GenericRelation"}
QUALIFIED_NAME = re.compile(r"([a-z_][a-z0-9_]*)\.([A-Za-z_]\w*)")

# Dependencies against the direction that the design itself puts there, each with why; the guard
# skips exactly these (file, kind, target app). Fixing one makes its entry fail as stale: remove it then.
KNOWN_EXCEPTIONS: dict[tuple[str, str, str], str] = {
    ("sujt/accounts/models.py", "relation field", "institutions"): (
        "DESIGN §5 puts Membership and guardian's per-institution permission tables in accounts, "
        "and both point at institutions.Institution"
    ),
}


@dataclass(frozen=True)
class Reference:
    lineno: int
    kind: str
    target: str  # a dotted module name, or the package of the app a label names
    written: str


def in_composition_root(module: str) -> bool:
    return module in COMPOSITION_ROOT or any(
        module == package or module.startswith(f"{package}.") for package in SETTINGS_PACKAGES
    )


def app_of(module: str) -> str | None:
    for app in sorted(LEVELS, key=len, reverse=True):
        if module == app or module.startswith(f"{app}."):
            return app
    return None


def app_labels() -> dict[str, str]:
    """App label -> app package, for the apps the guard knows."""
    return {config.label: config.name for config in apps.get_app_configs() if config.name in LEVELS}


def qualified_names() -> dict[str, set[str]]:
    """App label -> lower-cased names a string "label.name" may mean there: models and permissions."""
    names: dict[str, set[str]] = {}
    for config in apps.get_app_configs():
        if config.name not in LEVELS:
            continue
        found = names.setdefault(config.label, set())
        for model in config.get_models(include_auto_created=True):
            opts = model._meta
            found.add(opts.model_name)
            found.update(f"{action}_{opts.model_name}" for action in opts.default_permissions)
            found.update(codename for codename, _label in opts.permissions)
    return names


def module_name(path: Path) -> tuple[str, bool]:
    """(dotted module name, whether it is a package's __init__) of a file under BASE_DIR."""
    parts = list(path.relative_to(BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def absolute_module(node: ast.ImportFrom, *, module: str, is_package: bool) -> str:
    """The module `from ... import` reads from, with a relative one resolved against the file's package."""
    if node.level == 0:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*base, node.module] if node.module else base)


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


def _string_argument(node: ast.Call, *keywords: str) -> ast.Constant | None:
    """The call's first positional argument, or its keyword argument of those names, when it is a string."""
    candidates = [*node.args[:1], *(kw.value for kw in node.keywords if kw.arg in keywords)]
    for candidate in candidates:
        if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
            return candidate
    return None


def references(
    source: str, *, module: str, is_package: bool, labels: dict[str, str], names: dict[str, set[str]]
) -> list[Reference]:
    """Every dependency of one source file on a module or an app (see the module docstring)."""
    tree = ast.parse(source)
    found: list[Reference] = []
    relation_strings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Reference(node.lineno, "import", alias.name, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, module=module, is_package=is_package)
            written = "." * node.level + (node.module or "")
            for alias in node.names:
                # The imported name may be a submodule: `from sujt import accounts` imports sujt.accounts.
                target = base if alias.name == "*" else ".".join(filter(None, [base, alias.name]))
                found.append(Reference(node.lineno, "import", target, f"from {written} import {alias.name}"))
        elif isinstance(node, ast.Call):
            found += _call_references(node, labels=labels, relation_strings=relation_strings)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in relation_strings
        ):
            match = QUALIFIED_NAME.fullmatch(node.value)
            if match and match[1] in labels and match[2].lower() in names.get(match[1], set()):
                found.append(Reference(node.lineno, "app-qualified name", labels[match[1]], node.value))
    return found


def _call_references(
    node: ast.Call, *, labels: dict[str, str], relation_strings: set[int]
) -> list[Reference]:
    name = _call_name(node)
    if name in MODULE_LOADERS:
        value = _string_argument(node, "name", "dotted_path")
        return [Reference(node.lineno, name, value.value.lstrip("."), value.value)] if value else []
    if name in APP_LOOKUPS:
        value = _string_argument(node, "app_label")
        label = value.value.partition(".")[0] if value else ""
        return [Reference(node.lineno, f"apps.{name}", labels[label], value.value)] if label in labels else []
    if name in RELATION_FIELDS:
        value = _string_argument(node, "to")
        if value is None:
            return []
        # The string is this field's target; it is not reported again as an app-qualified name.
        relation_strings.add(id(value))
        label, dot, _model = value.value.partition(".")
        return (
            [Reference(node.lineno, "relation field", labels[label], value.value)]
            if dot and label in labels
            else []
        )
    return []


def violations_in_source(source: str, *, module: str, is_package: bool = False) -> list[Reference]:
    """The references of a module that point at an app of the same or a higher level than its own."""
    app = app_of(module)
    if app is None:
        return []
    found = references(
        source, module=module, is_package=is_package, labels=app_labels(), names=qualified_names()
    )
    return [
        reference
        for reference in found
        if (target := app_of(reference.target)) is not None
        and target != app
        and LEVELS[target] >= LEVELS[app]
    ]


def is_platform_path(path: Path) -> bool:
    """Whether a path belongs to the running platform: not tests, docs, the virtualenv or other tooling."""
    if BASE_DIR not in path.parents:
        return False
    top = path.relative_to(BASE_DIR).parts[0]
    return not top.startswith(".") and top not in NOT_PLATFORM


def platform_files() -> list[Path]:
    """Every Python file of the running platform, migrations left out."""
    found = []
    for top in sorted(BASE_DIR.iterdir()):
        if not is_platform_path(top):
            continue
        candidates = top.rglob("*.py") if top.is_dir() else [top] if top.suffix == ".py" else []
        found += [path for path in sorted(candidates) if "migrations" not in path.relative_to(BASE_DIR).parts]
    return found


@cache
def codebase_violations() -> tuple[tuple[str, Reference], ...]:
    found = []
    for path in platform_files():
        module, is_package = module_name(path)
        for reference in violations_in_source(
            path.read_text(encoding="utf-8"), module=module, is_package=is_package
        ):
            found.append((path.relative_to(BASE_DIR).as_posix(), reference))
    return tuple(found)


def _exception_key(path: str, reference: Reference) -> tuple[str, str, str]:
    return (path, reference.kind, app_of(reference.target) or "")


# --- the codebase ------------------------------------------------------------------------------------


@pytest.mark.parametrize("app", list(LEVELS))
def test_app_depends_only_on_lower_apps(app):
    violations = [
        f"{path}:{ref.lineno} {ref.kind} {ref.written!r} -> {app_of(ref.target)}"
        for path, ref in codebase_violations()
        if app_of(module_name(BASE_DIR / path)[0]) == app
        and _exception_key(path, ref) not in KNOWN_EXCEPTIONS
    ]
    assert not violations, "\n".join(violations)


def test_every_known_exception_is_still_needed():
    found = {_exception_key(path, ref) for path, ref in codebase_violations()}
    stale = [key for key in KNOWN_EXCEPTIONS if key not in found]
    assert not stale, f"fixed, remove from KNOWN_EXCEPTIONS: {stale}"


def test_every_django_app_of_the_repository_has_a_level():
    on_disk = {
        module_name(path.parent / "__init__.py")[0] for path in platform_files() if path.name == "apps.py"
    }
    installed = {config.name for config in apps.get_app_configs() if is_platform_path(Path(config.path))}
    assert installed, f"no app of {settings.INSTALLED_APPS} found under {BASE_DIR}"
    missing = sorted((on_disk | installed) - set(LEVELS))
    assert not missing, f"Django apps without a level in LEVELS: {missing}"


def test_every_platform_module_is_in_an_app_or_the_composition_root():
    # A module outside every app would escape the guard (nothing checks what it imports, and apps
    # importing it are not checked either).
    loose = [
        path.relative_to(BASE_DIR).as_posix()
        for path in platform_files()
        if app_of(module_name(path)[0]) is None and not in_composition_root(module_name(path)[0])
    ]
    assert not loose, f"modules in no app of LEVELS: {loose}"


# --- the guard itself, on small sources ----------------------------------------------------------------


def written(source: str, module: str, *, is_package: bool = False) -> list[str]:
    return [ref.written for ref in violations_in_source(source, module=module, is_package=is_package)]


def test_app_of_resolves_nested_packages_to_their_app():
    assert app_of("sujt.core.regions") == "sujt.core"
    assert app_of("institutions.models") == "institutions"
    assert app_of("sujt") is None
    assert app_of("django.db") is None


def test_an_absolute_import_of_a_higher_app_is_a_violation():
    assert written("from news.models import Article\n", "sujt.core.models") == [
        "from news.models import Article"
    ]
    assert written("import news.models\n", "sujt.core.models") == ["news.models"]


def test_a_sideways_import_is_a_violation():
    assert written("from news import selectors\n", "centers.views") == ["from news import selectors"]


def test_lower_and_own_app_imports_are_allowed():
    source = "from sujt.core.regions import region_name\nfrom institutions.models import Institution\n"
    assert written(source, "news.views.public") == []
    assert written("from news.models import Article\n", "news.selectors") == []
    assert written("from django.db import models\nimport os\n", "sujt.core.models") == []


def test_a_lazy_import_inside_a_function_is_a_violation():
    source = "def f():\n    from credit.services import score\n    return score\n"
    assert written(source, "institutions.services.profile") == ["from credit.services import score"]


def test_relative_imports_are_resolved_from_the_files_package():
    assert (
        absolute_module(
            ast.parse("from ..models import Institution").body[0],
            module="institutions.views.ip",
            is_package=False,
        )
        == "institutions.models"
    )
    assert (
        absolute_module(ast.parse("from . import views").body[0], module="sujt.accounts", is_package=True)
        == "sujt.accounts"
    )
    assert (
        absolute_module(
            ast.parse("from .selectors import x").body[0], module="sujt.accounts.views", is_package=False
        )
        == "sujt.accounts.selectors"
    )
    # Climbing out of the app is how a relative import reaches another one.
    assert written("from ..portal import views\n", "sujt.accounts.views") == ["from ..portal import views"]
    assert written("from ...news import models\n", "institutions.views.ip") == ["from ...news import models"]
    assert written("from ..models import Institution\n", "institutions.views.ip") == []


def test_a_name_imported_from_the_project_package_is_a_submodule():
    assert written("from sujt import portal\n", "sujt.core.todos") == ["from sujt import portal"]
    assert written("import sujt.portal.views\n", "sujt.accounts.views") == ["sujt.portal.views"]
    assert written("from sujt import accounts\n", "sujt.core.todos") == ["from sujt import accounts"]
    assert written("from sujt import core\n", "sujt.accounts.views") == []


@pytest.mark.parametrize(
    "call",
    [
        'importlib.import_module("news.services")',
        'import_module("news.services")',
        'import_module(name="news.services")',
        '__import__("news")',
        'import_string("news.views.public.article_detail")',
        'import_string(dotted_path="news.feeds.NewsFeed")',
    ],
)
def test_a_module_named_in_a_string_to_a_loader_is_a_dependency(call):
    assert written(f"def f():\n    return {call}\n", "institutions.tasks") != []
    assert written(f"def f():\n    return {call}\n", "credit.tasks") == []


@pytest.mark.parametrize(
    "call",
    [
        'apps.get_model("news", "Article")',
        'apps.get_model("news.Article")',
        'apps.get_model(app_label="news", model_name="Article")',
        'django_apps.get_app_config("news")',
    ],
)
def test_an_app_label_named_to_the_app_registry_is_a_dependency(call):
    assert written(f"def f():\n    return {call}\n", "sujt.accounts.services") != []
    assert written(f"def f():\n    return {call}\n", "sujt.portal.selectors") == []


def test_a_relation_field_to_a_higher_or_sideways_app_is_a_violation():
    upward = 'owner = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE)\n'
    assert written(upward, "sujt.core.models") == ["institutions.Institution"]
    sideways = 'article = models.OneToOneField(to="news.Article", on_delete=models.CASCADE)\n'
    assert written(sideways, "reporting.models") == ["news.Article"]
    assert written('tags = models.ManyToManyField("credit.Item")\n', "news.models") == ["credit.Item"]


def test_a_relation_field_to_a_lower_app_or_within_the_app_is_allowed():
    source = (
        'logo = models.ForeignKey("core.Attachment", on_delete=models.SET_NULL, null=True)\n'
        'parent = models.ForeignKey("self", on_delete=models.CASCADE)\n'
        'site = models.ForeignKey("Site", on_delete=models.CASCADE)\n'
        "user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
    )
    assert written(source, "institutions.models.qualification") == []


def test_a_permission_or_model_of_a_higher_app_named_in_a_string_is_a_violation():
    assert written('PERMS = ["news.change_article"]\n', "sujt.accounts.services") == ["news.change_article"]
    assert written('label = "news.article"\n', "sujt.core.workflow") == ["news.article"]
    # Strings that only look alike are not references: not a model nor a permission of that app.
    assert written('name = "news.html"\nother = "auth.view_user"\n', "sujt.core.models") == []


def test_the_composition_root_and_files_outside_the_apps_are_not_checked():
    assert written("from sujt.portal import views\n", "sujt.urls") == []
    assert written("from news import models\n", "tests.news.conftest") == []


def test_settings_packages_belong_to_the_composition_root_with_their_modules():
    assert in_composition_root("sujt.formats.zh_Hans.formats")
    assert not in_composition_root("sujt.formatting")
    assert not in_composition_root("sujt.helpers")
