"""Benchmark of the regulators' admin: `python -m sujt.portal.bench_admin --institutions 5000 --repeat 30`.

Like `news.bench` (both use `sujt.core.bench`): fills a throwaway test database of the
configured backend (DATABASE_URL; SQLite in memory unless SQLITE_TEST_NAME names a file) with a province
of generated institutions, then requests the admin pages a regulator uses most through Django's test
client in this process (no network, DEBUG off), as a Nanjing city regulator and as the province
regulator, and reports p50/p95 in milliseconds, the SQL statements of one request, and the ratio of p50
to the floor: the portal's static help page requested by the same logged-in regulator through the same
middleware (session and user read, no data of its own). The admin's own password change page is no
floor: it redirects to the portal's password page.

Data: institutions spread over the 13 cities' districts (a few recorded at the city itself), each with
an admin membership (a user with a phone), one or two declared fields, one or two CMA certificates (some
expiring within three months, some expired), filled-in answers on about two thirds, varied completeness,
status and confirmation; pending error reports and news submissions spread over them; a few unread
messages for each regulator.
"""

import argparse
import datetime
import sys
import time
from dataclasses import dataclass
from typing import Any

from sujt.core.bench import measure, setup_django, throwaway_database

# Pages built in the test client's memory: an export is one large response, measured fewer times.
EXPORT_WARMUP = 1
PAGE_WARMUP = 3
CITY_SCOPE = "320100"  # 南京市
CITY_DISTRICT = "320102"  # 玄武区, the city regulator's district filter
PROVINCE_CITY = "320500"  # 苏州市, the province regulator's city filter


@dataclass(frozen=True)
class Facts:
    """What the page URLs name: objects inside the Nanjing regulator's jurisdiction, so both regulators
    may open them."""

    certificate_number: str
    institution_id: int
    error_report_id: int


def generate(*, institutions: int, reports: int, submissions: int) -> Facts:
    """The province's institutions with what the admin lists, filters, searches and exports read (see
    the module's docstring), written with bulk_create in batches."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from institutions.choices import (
        ErrorItemType,
        InstitutionStatus,
        InvestorType,
        LegalPersonType,
        OwnershipStructure,
        UnitType,
    )
    from institutions.demo import demo_uscc
    from institutions.models import Certificate, ErrorReport, Institution, InstitutionField
    from news.choices import CATEGORY_CHANNEL
    from news.models import Article
    from sujt.accounts.choices import MembershipRole
    from sujt.accounts.models import Membership, User
    from sujt.core.choices import ReviewStatus, TestingField
    from sujt.core.regions import CITIES, DISTRICTS

    # Every 40th institution is recorded at its city (district unknown), the rest over the districts.
    districts = list(DISTRICTS)
    cities = list(CITIES)
    fields = list(TestingField.values)
    statuses = list(InstitutionStatus.values)
    batch = 2000
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(None)  # unusable: no hashing per user

    def region(number: int) -> str:
        if number % 40 == 0:
            return cities[number % len(cities)]
        return districts[(number - 1) % len(districts)]  # the first in 玄武区, the pages' institution

    def filled_in(number: int) -> dict[str, Any]:
        if number % 3 == 0:  # a third answered nothing of 完善信息
            return {}
        return {
            "is_high_tech": number % 5 == 0,
            "legal_person_type": LegalPersonType.ENTERPRISE,
            "unit_type": UnitType.THIRD_PARTY,
            "ownership": OwnershipStructure.PRIVATE,
            "is_listed": False,
            "investor_type": InvestorType.PRIVATE,
        }

    created: list[Any] = []
    for start in range(1, institutions + 1, batch):
        rows = []
        for number in range(start, min(start + batch, institutions + 1)):
            code = region(number)
            rows.append(
                Institution(
                    name=f"基准测试检验检测机构{number:05d}",
                    uscc=demo_uscc(region_code=code, number=number),
                    region_code=code,
                    address=f"示例路{number}号",
                    phone="025-84000000",
                    contact_person="联系人",
                    contact_phone=f"139{number:08d}",
                    # Most are 正常; every 20th suspended, revoked or cancelled.
                    status=statuses[(number // 20) % len(statuses)] if number % 20 == 0 else statuses[0],
                    completeness=(number * 7) % 101,
                    info_confirmed_at=now - datetime.timedelta(days=number % 300) if number % 2 else None,
                    **filled_in(number),
                )
            )
        created.extend(Institution.objects.bulk_create(rows))
    InstitutionField.objects.bulk_create(
        [
            InstitutionField(institution=inst, code=fields[(i + extra) % len(fields)])
            for i, inst in enumerate(created)
            for extra in range(1 + i % 2)
        ],
        batch_size=batch,
    )
    # One admin each: a user with a phone, no usable password (force_login is not used for them).
    users = User.objects.bulk_create(
        [
            User(
                phone=f"136{i:08d}",
                name=f"机构管理员{i:05d}",
                password=password,
                must_change_password=False,
                date_joined=now,
            )
            for i in range(len(created))
        ],
        batch_size=batch,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, institution=inst, role=MembershipRole.ADMIN)
            for user, inst in zip(users, created, strict=True)
        ],
        batch_size=batch,
    )
    certificates = []
    serial = 0
    for i, inst in enumerate(created):
        for extra in range(1 + (i % 3 == 0)):  # a third hold two certificates
            field = fields[(i + extra) % len(fields)]
            if serial % 10 == 0:
                expires = today + datetime.timedelta(days=10 + serial % 80)  # within three months
            elif serial % 25 == 1:
                expires = today - datetime.timedelta(days=1 + serial % 200)  # expired
            else:
                expires = today + datetime.timedelta(days=200 + serial % 1500)
            certificate = Certificate(
                institution=inst,
                # YY AA FF DD NNNN: a year per 10,000 serials keeps the numbers unique.
                number=f"{20 + serial // 10000:02d}10{field}00{serial % 10000:04d}",
                issued_on=expires - datetime.timedelta(days=6 * 365),
                expires_on=expires,
            )
            certificate.derive_from_number()  # save() would; bulk_create does not call it
            certificates.append(certificate)
            serial += 1
    Certificate.objects.bulk_create(certificates, batch_size=batch)
    # The institution the pages open: the first in 玄武区 holding two certificates, with a report.
    target = next(
        (i for i, inst in enumerate(created) if inst.region_code == CITY_DISTRICT and i % 3 == 0), None
    )
    if target is None:
        raise SystemExit("--institutions 至少为 1")
    step = max(1, len(created) // max(1, reports))
    reported = sorted({*list(range(0, len(created), step))[: max(0, reports - 1)], target})
    ErrorReport.objects.bulk_create(
        [
            ErrorReport(
                institution=inst,
                item_type=ErrorItemType.BASIC,
                item_label="机构地址",
                description="地址已变更，请更正为新的办公地址。",
                created_by=users[index],
                status=ReviewStatus.SUBMITTED,
                submitted_at=now - datetime.timedelta(hours=index % 500),
            )
            for index, inst in ((index, created[index]) for index in reported)
        ],
        batch_size=batch,
    )
    step = max(1, len(created) // max(1, submissions))
    category = "style"
    # The proxy NewsSubmission is an article with an institution.
    Article.objects.bulk_create(
        [
            Article(
                institution=inst,
                channel=CATEGORY_CHANNEL[category],
                category=category,
                title=f"我单位顺利通过资质认定复查评审（{index}）",
                summary="近日，我单位顺利通过资质认定复查评审。",
                body="<p>近日，我单位顺利通过江苏省市场监督管理局组织的资质认定复查评审。</p>" * 5,
                region_code=inst.region_code,
                status=ReviewStatus.SUBMITTED,
                submitted_at=now - datetime.timedelta(hours=index % 300),
            )
            for index, inst in list(enumerate(created))[1::step][:submissions]
        ],
        batch_size=batch,
    )
    institution = created[target]
    return Facts(
        certificate_number=institution.certificates.order_by("number").values_list("number", flat=True)[0],
        institution_id=institution.pk,
        error_report_id=institution.error_reports.values_list("pk", flat=True)[0],
    )


def regulators() -> dict[str, Any]:
    """The Nanjing city regulator and the province regulator, saved the way the user admin saves one
    (`regulator_save`: admin login and the regulator group), each with a few unread messages."""
    from django.utils import timezone

    from sujt.accounts.models import Regulator, User
    from sujt.accounts.services import regulator_save
    from sujt.core.models import Notification
    from sujt.core.regions import level_of

    users = {}
    for key, code, bureau, phone in (
        ("city", CITY_SCOPE, "南京市市场监督管理局", "13300000001"),
        ("province", "320000", "江苏省市场监督管理局", "13300000002"),
    ):
        now = timezone.now()
        user = User.objects.create(
            phone=phone,
            name=f"基准{bureau}监管员",
            must_change_password=False,
            password_changed_at=now,
            info_confirmed_at=now,
        )
        regulator_save(regulator=Regulator(user=user, region_code=code, level=level_of(code), bureau=bureau))
        Notification.objects.bulk_create(
            [Notification(recipient=user, title=f"待审核：机构新闻投稿 {n}", url="/admin/") for n in range(8)]
        )
        users[key] = user
    return users


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    export: bool = False


def pages(facts: Facts, *, province: bool) -> list[Page]:
    from django.urls import reverse

    institutions = reverse("admin:institutions_institution_changelist")
    where = f"city={PROVINCE_CITY}" if province else f"district={CITY_DISTRICT}"
    return [
        # The admin's password change page redirects to the portal's own (/accounts/password/).
        Page("帮助页（基线）", reverse("portal:help")),
        Page("管理首页（监管工作台）", reverse("admin:index")),
        Page("机构列表第 1 页", institutions),
        Page("机构列表检索 CMA 证书编号", f"{institutions}?q={facts.certificate_number}"),
        Page(f"机构列表筛选 {where}", f"{institutions}?{where}"),
        Page(
            "机构详情（修改页）",
            reverse("admin:institutions_institution_change", args=[facts.institution_id]),
        ),
        Page(
            "纠错报告审核页",
            reverse("admin:institutions_errorreport_change", args=[facts.error_report_id]),
        ),
        Page(
            "新闻投稿待审队列",
            reverse("admin:news_newssubmission_changelist") + "?status__exact=submitted",
        ),
        Page(
            "导出 Excel（全部机构）",
            reverse("admin:institutions_institution_export_xlsx"),
            export=True,
        ),
    ]


def run(
    *, institutions: int, repeat: int, export_repeat: int, reports: int, submissions: int, out=print
) -> list[dict]:
    """Generates the data in the current database and measures every page as both regulators; returns
    one row per (regulator, page) with p50, p95, queries and ratio to the baseline, and prints the
    table through `out`."""
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    facts = generate(institutions=institutions, reports=reports, submissions=submissions)
    users = regulators()
    if connection.vendor == "postgresql":
        # Autovacuum would have gathered statistics on a live database (see news.bench).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out(
        f"规模：{institutions} 家机构、{reports} 份待审纠错报告、{submissions} 篇待审新闻投稿"
        f"（生成 {time.perf_counter() - started:.1f} s）；每个页面请求 {repeat} 次，导出 {export_repeat} 次"
    )
    rows = []
    for who, label in (("city", "南京市监管员"), ("province", "省局监管员")):
        client = Client()
        client.force_login(users[who])
        out(f"\n{label}\n\n| 页面 | p50 ms | p95 ms | p50 / 基线 | SQL 条数 |\n|---|---|---|---|---|")
        floor = None
        for page in pages(facts, province=who == "province"):
            times = export_repeat if page.export else repeat
            measure(client, page.url, repeat=EXPORT_WARMUP if page.export else PAGE_WARMUP)  # warm up
            result = measure(client, page.url, repeat=times)
            floor = floor or result["p50"]
            row = {"who": who, "page": page.label, "url": page.url, **result, "ratio": result["p50"] / floor}
            rows.append(row)
            out(
                f"| {page.label} | {row['p50']:.1f} | {row['p95']:.1f} | {row['ratio']:.1f} | "
                f"{row['queries']} |"
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="监管端（管理后台）页面性能测试")
    parser.add_argument("--institutions", type=int, default=5000)
    parser.add_argument("--reports", type=int, default=300, help="待审纠错报告数")
    parser.add_argument("--submissions", type=int, default=300, help="待审新闻投稿数")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--export-repeat", type=int, default=3)
    args = parser.parse_args(argv)

    setup_django()
    with throwaway_database():
        run(
            institutions=args.institutions,
            repeat=args.repeat,
            export_repeat=args.export_repeat,
            reports=args.reports,
            submissions=args.submissions,
            out=lambda line: print(line, flush=True),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
