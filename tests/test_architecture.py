"""The dependency direction of DESIGN §3, checked on the source: nothing imports upward (or sideways).

core ← accounts ← institutions ← {rectification, centers, news, reporting} ← credit ← portal
"""

import ast
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

# app package -> level; an app may import only apps of a lower level.
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


def app_of(module: str) -> str | None:
    for app in sorted(LEVELS, key=len, reverse=True):
        if module == app or module.startswith(f"{app}."):
            return app
    return None


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_app_of_resolves_nested_packages_to_their_app():
    assert app_of("sujt.core.regions") == "sujt.core"
    assert app_of("institutions.models") == "institutions"
    assert app_of("sujt") is None
    assert app_of("django.db") is None


@pytest.mark.parametrize("app", list(LEVELS))
def test_app_imports_only_lower_apps(app):
    package = BASE_DIR / app.replace(".", "/")
    violations = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for lineno, module in imported_modules(path):
            target = app_of(module)
            if target is not None and target != app and LEVELS[target] >= LEVELS[app]:
                violations.append(f"{path.relative_to(BASE_DIR)}:{lineno} imports {module}")
    assert not violations, "\n".join(violations)
