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


# --- 02 qualification data and intellectual property (appended for module 02) --------------------------

_cma_serial = itertools.count(1)


def days_from_today(days: int):
    import datetime

    return timezone.localdate() + datetime.timedelta(days=days)


def fixed_date(year: int, month: int, day: int):
    import datetime

    return datetime.date(year, month, day)


def make_cma_number(
    year: int = 2021, authority: str = "10", field: str = "13", department: str = "01"
) -> str:
    """A 12-digit CMA certificate number: YY AA FF DD NNNN (DESIGN §7), with a fresh serial."""
    return f"{year % 100:02d}{authority}{field}{department}{next(_cma_serial) % 10000:04d}"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Certificate"

    institution = factory.SubFactory(InstitutionFactory)
    number = factory.LazyFunction(make_cma_number)
    issued_on = factory.LazyFunction(lambda: days_from_today(-730))
    expires_on = factory.LazyFunction(lambda: days_from_today(6 * 365 - 730))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Site"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"检测场所{n}")
    address = factory.Sequence(lambda n: f"南京市玄武区示例路{n}号")


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Capability"

    certificate = factory.SubFactory(CertificateFactory)
    institution = factory.SelfAttribute("certificate.institution")
    seq = factory.Sequence(lambda n: n + 1)
    category = "食品"
    item = factory.Sequence(lambda n: f"检测参数{n}")
    standard = "GB 5009.3-2016 食品安全国家标准 食品中水分的测定"


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Equipment"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"电子天平{n}")
    model_spec = "ME204E"
    valid_until = factory.LazyFunction(lambda: days_from_today(365))


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Signatory"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"签字人{n}")
    title = "高级工程师"
    authorised_fields = "食品理化检测"


class PersonnelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Personnel"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"检测员{n}")
    gender = "female"
    birth_year = 1990
    education = "bachelor"
    department = "理化室"


class SoftwareCopyrightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.SoftwareCopyright"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"检测数据管理软件{n}")
    registration_number = factory.Sequence(lambda n: f"2022SR{n:07d}")
    version = "V1.0"
    registered_on = fixed_date(2022, 6, 1)


class PatentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Patent"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"一种检测装置{n}")
    patent_type = "utility"
    patent_number = factory.Sequence(lambda n: f"ZL20222{n:07d}.{n % 10}")
    applied_on = fixed_date(2022, 3, 1)


class TrademarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Trademark"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"示例商标{n}")
    registration_number = factory.Sequence(lambda n: f"{60000000 + n}")
    nice_class = 42
    valid_from = fixed_date(2022, 1, 1)
    valid_until = fixed_date(2032, 1, 1)


# --- 06 新闻资讯发布 ---------------------------------------------------------------------------------


class ArticleFactory(factory.django.DjangoModelFactory):
    """A regulator's article, published an hour ago (status 已通过, public)."""

    class Meta:
        model = "news.Article"

    category = "policy"
    title = factory.Sequence(lambda n: f"关于做好检验检测机构监督管理工作的通知（{n}）")
    summary = "为进一步规范检验检测市场秩序，现将有关事项通知如下。"
    body = "<p>各设区市市场监督管理局：</p><p>现将有关事项通知如下。</p>"
    source = "江苏省市场监督管理局"
    region_code = "320000"
    status = "approved"
    published_at = factory.LazyFunction(lambda: datetime_hours_ago(1))


class NewsSubmissionFactory(factory.django.DjangoModelFactory):
    """An institution's news, a draft unless `status` says otherwise (set through the workflow in tests
    that exercise it)."""

    class Meta:
        model = "news.NewsSubmission"

    institution = factory.SubFactory(InstitutionFactory)
    category = "style"
    title = factory.Sequence(lambda n: f"我单位顺利通过资质认定复查评审（{n}）")
    summary = "近日，我单位顺利通过资质认定复查评审。"
    body = "<p>近日，我单位顺利通过江苏省市场监督管理局组织的资质认定复查评审。</p>"
    region_code = factory.SelfAttribute("institution.region_code")
    status = "draft"


def datetime_hours_ago(hours: int):
    import datetime

    return timezone.now() - datetime.timedelta(hours=hours)
