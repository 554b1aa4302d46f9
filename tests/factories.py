"""Factories for the whole suite. Identifiers are generated with valid check digits."""

import itertools
import random

import factory
from django.utils import timezone

from institutions.models import Institution
from sujt.accounts.choices import MembershipRole
from sujt.accounts.models import Membership, Regulator, User
from sujt.core.choices import RegionLevel
from sujt.core.regions import level_of
from sujt.core.validators import USCC_CHARSET, id_card_check_char, uscc_check_char

DEFAULT_PASSWORD = "Sujt@Test2026"

_uscc_serial = itertools.count(1)


def make_uscc(region_code: str = "320100", serial: int | None = None) -> str:
    serial = next(_uscc_serial) if serial is None else serial
    org = "".join(USCC_CHARSET[(serial // 31**i) % 31] for i in range(8, -1, -1))
    body = f"91{region_code}{org}"
    return body + uscc_check_char(body)


def make_id_card(seed: int) -> str:
    rng = random.Random(seed)
    birth = f"{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"320102{birth}{rng.randint(0, 999):03d}"
    return body + id_card_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"135{n:08d}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    id_card_number = factory.Sequence(make_id_card)
    must_change_password = False
    info_confirmed_at = factory.LazyFunction(timezone.now)
    password_changed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"测试检验检测有限公司{n}")
    region_code = "320102"
    uscc = factory.LazyAttribute(lambda o: make_uscc(o.region_code[:4] + "00"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = MembershipRole.STAFF


class RegulatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regulator

    user = factory.SubFactory(UserFactory, is_staff=True)
    region_code = "320100"
    level = factory.LazyAttribute(lambda o: level_of(o.region_code))
    bureau = factory.LazyAttribute(
        lambda o: "江苏省市场监督管理局" if o.level == RegionLevel.PROVINCE else "市场监督管理局"
    )
