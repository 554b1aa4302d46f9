"""Demo accounts of the platform side: the superuser, the province regulator and one regulator per city.

Called by `manage.py seed_demo` (see sujt/portal/management/commands/seed_demo.py for the hook).
Everything here is fictional: invented names, generated ID card numbers with valid check digits.
Existing accounts are left exactly as they are, so running the seed again changes nothing.
"""

import random
from typing import TextIO

from django.conf import settings
from django.contrib.auth import authenticate
from django.shortcuts import resolve_url
from django.test import RequestFactory
from django.utils import timezone

from sujt.core.choices import RegionLevel, ReviewNoticeMode
from sujt.core.models import NotificationPreference
from sujt.core.notifications import notification_preference_set
from sujt.core.regions import CITIES, PROVINCE_CODE, PROVINCE_NAME, districts_of
from sujt.core.validators import id_card_check_char

from .backends import account_locked, lockout_minutes
from .models import Regulator, User
from .services import password_set, regulator_group_ensure, regulator_save

ADMIN_PASSWORD = "Sujt@Admin2026"  # published with the demo (README)
DEMO_PASSWORD = "Sujt@Demo2026"  # published with the demo (README)

SUPERUSER_PHONE = "13900000000"
PROVINCE_REGULATOR_PHONE = "13900000001"

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余杜叶程魏苏吕丁任沈"
)
_GIVEN_NAMES = [
    "思远", "若兰", "明轩", "雨桐", "子墨", "嘉怡", "浩然", "佳宁", "逸凡", "书瑶", "景行", "清和",
    "安澜", "知行", "语嫣", "承泽", "沐阳", "欣然", "致远", "秋实", "晓岚", "慕白", "维桢", "静姝",
    "启航", "梓萱", "怀瑾", "星辰", "一诺", "君浩", "博文", "雅琴", "泽宇", "婉清", "立诚", "海宁",
]  # fmt: skip


def city_regulator_phone(position: int) -> str:
    """The demo regulator of the `position`-th city (1-based, in the order of CITIES)."""
    return f"139000001{position:02d}"


def demo_person_name(seed: int) -> str:
    """An invented Chinese name, the same for the same seed."""
    return _SURNAMES[(seed * 7) % len(_SURNAMES)] + _GIVEN_NAMES[(seed * 5) % len(_GIVEN_NAMES)]


def demo_id_card(*, region_code: str, seed: int) -> str:
    """A generated 18-digit ID card number (GB 11643 check digit) born in `region_code`."""
    rng = random.Random(f"sujt-demo-{seed}")
    birth = f"{rng.randint(1968, 1998)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{region_code}{birth}{rng.randint(0, 999):03d}"
    return body + id_card_check_char(body)


def demo_user_ensure(
    *, phone: str, password: str, name: str, id_card_number: str = "", **extra: object
) -> tuple[User, bool]:
    """The demo account with that phone; created (ready to use, no first-login steps) when missing.

    An existing account is returned untouched, whatever a visitor has done with it since.
    """
    user = User.objects.filter(phone=phone).first()
    if user is not None:
        return user, False
    user = User(
        phone=phone, name=name, id_card_number=id_card_number, info_confirmed_at=timezone.now(), **extra
    )
    user.full_clean(exclude=["password"])
    password_set(user=user, raw_password=password, must_change=False)
    return user, True


def _regulator_ensure(*, user: User, region_code: str, bureau: str) -> None:
    if Regulator.objects.filter(user=user).exists():
        return
    level = RegionLevel.PROVINCE if region_code == PROVINCE_CODE else RegionLevel.CITY
    regulator_save(regulator=Regulator(user=user, level=level, region_code=region_code, bureau=bureau))


# The account the demo shows locked out: the 经办人 of the 14th demo institution (a Nanjing one), whose
# account institutions/demo.py creates after this step. A lockout is keyed by the phone typed, not by a
# user row, so it can be recorded first (tests/accounts/test_regulator_account_help.py checks the pair).
LOCKED_DEMO_PHONE = "13700000014"
# TEST-NET-1 (RFC 5737): an address no real client has.
_LOCKED_DEMO_ADDRESS = "192.0.2.25"


def demo_lockout_ensure(*, phone: str = LOCKED_DEMO_PHONE) -> bool:
    """Locks the account out the way a person would: wrong passwords on the login form's
    authentication path (django-axes counts them, the login log records them). A lockout ends by itself
    after AXES_COOLOFF_TIME, so each run locks the account again if it is not locked now; returns whether
    it did."""
    request = RequestFactory().post(
        resolve_url(settings.LOGIN_URL),
        REMOTE_ADDR=_LOCKED_DEMO_ADDRESS,
        HTTP_USER_AGENT="演示数据（模拟连续输错密码）",
    )
    if not settings.AXES_ENABLED or account_locked(request=request, phone=phone):
        return False
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        authenticate(request, username=phone, password=f"demo-wrong-password-{attempt}")
    return True


# The city whose demo regulator takes review notices as a daily digest (苏州).
DIGEST_DEMO_CITY = "320500"


def seed(stdout: TextIO) -> list[tuple[str, str, str, str]]:
    """Creates the platform-side demo accounts; returns (role, account, password, note) rows."""
    regulator_group_ensure()
    created = 0
    _user, new = demo_user_ensure(
        phone=SUPERUSER_PHONE,
        password=ADMIN_PASSWORD,
        name="平台管理员",
        is_staff=True,
        is_superuser=True,
    )
    created += new
    rows = [("超级管理员", SUPERUSER_PHONE, ADMIN_PASSWORD, "监管端 /admin/，全部权限")]

    bureau = f"{PROVINCE_NAME}市场监督管理局"
    user, new = demo_user_ensure(
        phone=PROVINCE_REGULATOR_PHONE,
        password=DEMO_PASSWORD,
        name=demo_person_name(1),
        id_card_number=demo_id_card(region_code="320102", seed=1),
        is_staff=True,
    )
    created += new
    _regulator_ensure(user=user, region_code=PROVINCE_CODE, bureau=bureau)
    rows.append(("省级监管人员", PROVINCE_REGULATOR_PHONE, DEMO_PASSWORD, f"{bureau}，全省"))

    for position, (city_code, city) in enumerate(CITIES.items(), start=1):
        phone = city_regulator_phone(position)
        bureau = f"{city}市场监督管理局"
        user, new = demo_user_ensure(
            phone=phone,
            password=DEMO_PASSWORD,
            name=demo_person_name(100 + position),
            id_card_number=demo_id_card(
                region_code=next(iter(districts_of(city_code)), city_code), seed=100 + position
            ),
            is_staff=True,
        )
        created += new
        _regulator_ensure(user=user, region_code=city_code, bureau=bureau)
        note = bureau
        if city_code == DIGEST_DEMO_CITY:
            # One regulator shows the daily digest (the preference is theirs to change afterwards).
            if not NotificationPreference.objects.filter(user=user).exists():
                notification_preference_set(user=user, review_mode=ReviewNoticeMode.DIGEST)
            note = f"{bureau}（待审核事项每日汇总通知）"
        rows.append(("市级监管人员", phone, DEMO_PASSWORD, note))

    stdout.write(f"  监管端账号：新建 {created} 个，共 {len(rows)} 个\n")
    rows.append(
        (
            "已锁定的机构用户",
            LOCKED_DEMO_PHONE,
            DEMO_PASSWORD,
            f"南京一家演示机构的经办人，每次 seed_demo 时连续输错密码被锁定{lockout_minutes()}分钟",
        )
    )
    if demo_lockout_ensure():
        stdout.write(
            f"  登录锁定演示：机构用户 {LOCKED_DEMO_PHONE} 连续输错密码，已锁定"
            f"（{lockout_minutes()}分钟后自动解除；南京市监管人员可在“用户”中解除锁定或重置密码）\n"
        )
    return rows
