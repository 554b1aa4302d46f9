"""`python manage.py seed_demo`: fictional demo data for a visitor to look around. Safe to run again.

The hook for later modules: an app with demo data has a `demo.py` whose `seed(stdout)` creates what is
missing and leaves existing rows alone (so a second run changes nothing), writes a one-line summary to
`stdout`, and returns the accounts a visitor may log in with as (role, account, password, note) rows
(or nothing). `seed_demo` calls the apps below in dependency order (DESIGN §3), all in one
transaction, with history rows attributed to the system user "演示数据", and prints the accounts last.
"""

import importlib
import importlib.util
from types import ModuleType

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from sujt.core.audit import acting_as, system_user

DEMO_APPS = [
    "sujt.core",
    "sujt.accounts",
    "institutions",
    "rectification",
    "centers",
    "news",
    "reporting",
    "credit",
    "sujt.portal",
]
DEMO_ACTOR = "演示数据"


def demo_module(app: str) -> ModuleType | None:
    name = f"{app}.demo"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


class Command(BaseCommand):
    help = "生成演示数据（虚构的机构、人员与账号）；可重复运行，已有数据不会重复或被修改。"

    def handle(self, *args, **options) -> None:
        verbosity = options["verbosity"]
        out = self.stdout if verbosity > 0 else _Discard()
        accounts: list[tuple[str, str, str, str]] = []
        out.write("生成演示数据：")
        with transaction.atomic(), acting_as(system_user(DEMO_ACTOR)):
            for app in DEMO_APPS:
                module = demo_module(app)
                if module is not None:
                    accounts.extend(module.seed(out) or [])
        if verbosity > 0:
            self._print_accounts(accounts)

    def _print_accounts(self, accounts: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write("")
        login = reverse(settings.LOGIN_URL)
        self.stdout.write(
            self.style.SUCCESS(f"演示账号（全部为虚构数据；机构用户在 {login} 登录，监管端在 /admin/）：")
        )
        headers = ("角色", "账号", "密码", "说明")
        widths = [max(_width(row[i]) for row in [headers, *accounts]) for i in range(3)]
        for row in [headers, *accounts]:
            cells = [_pad(row[i], widths[i]) for i in range(3)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))


class _Discard:
    def write(self, _text: str, *args, **kwargs) -> None:
        return None


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
