"""The public profile of an institution (/institutions/<id>/) and its capability schedule (能力附表):
what it shows, what it never shows, its search, pagination and Excel download, and its query count."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from institutions.choices import CertificateStatus, InstitutionStatus
from institutions.models import Capability, Certificate, Institution, Signatory
from institutions.selectors.public_profile import CAPABILITY_PAGE_SIZE
from tests.factories import (
    CapabilityFactory,
    CertificateFactory,
    InstitutionFactory,
    PatentFactory,
    PersonnelFactory,
    SignatoryFactory,
    SiteFactory,
    SoftwareCopyrightFactory,
    TrademarkFactory,
    days_from_today,
)


def profile_url(institution) -> str:
    return reverse("institutions:public_detail", args=[institution.pk])


def capabilities_url(institution) -> str:
    return reverse("institutions:public_capabilities", args=[institution.pk])


def export_url(institution) -> str:
    return reverse("institutions:public_capabilities_export", args=[institution.pk])


@pytest.fixture
def public(db):
    return InstitutionFactory(name="金陵精诚检测有限公司")


def test_profile_shows_sites_signatories_ip_and_capability_count(client, public):
    SiteFactory(institution=public, name="玄武实验室", address="南京市玄武区示例路8号")
    SignatoryFactory(institution=public, name="孙签字", title="教授级高工", authorised_fields="食品理化检测")
    SoftwareCopyrightFactory(institution=public, name="检测数据管理软件", registration_number="2022SR0123456")
    PatentFactory(institution=public, name="一种水质采样装置", inventors="周发明")
    TrademarkFactory(institution=public, name="金陵精诚")
    certificate = CertificateFactory(institution=public)
    CapabilityFactory.create_batch(3, certificate=certificate)
    html = client.get(profile_url(public)).content.decode()
    for text in [
        "玄武实验室",
        "南京市玄武区示例路8号",
        "孙签字",
        "食品理化检测",
        "检测数据管理软件",
        "2022SR0123456",
        "一种水质采样装置",
        "金陵精诚",
        "能力附表共 3 条",
        'id="certificates"',
        'id="sites"',
        'id="signatories"',
        'id="ip"',
        capabilities_url(public),
    ]:
        assert text in html, text
    # A signatory's name and authorised scope only; a patent's inventors are people too.
    assert "教授级高工" not in html and "周发明" not in html


def test_profile_never_shows_personnel(client, public):
    PersonnelFactory(institution=public, name="吴人员", department="机密室")
    html = client.get(profile_url(public)).content.decode()
    assert "吴人员" not in html and "机密室" not in html


def test_profile_sections_say_when_they_are_empty(client, public):
    html = client.get(profile_url(public)).content.decode()
    for text in [
        "暂无检验检测场所信息",
        "暂无授权签字人信息",
        "暂无软件著作权信息",
        "暂无专利信息",
        "暂无商标信息",
    ]:
        assert text in html, text
    assert "暂无检验检测能力信息" in html
    assert "暂无检验检测能力信息" in client.get(capabilities_url(public)).content.decode()


def test_withdrawn_rows_are_not_public(client, public):
    now = timezone.now()
    SiteFactory(institution=public, name="已撤回场所", withdrawn_at=now)
    SignatoryFactory(institution=public, name="撤回签字人", withdrawn_at=now)
    withdrawn = CertificateFactory(institution=public, withdrawn_at=now)
    CapabilityFactory(certificate=withdrawn, item="撤回证书的参数")
    CapabilityFactory(certificate=CertificateFactory(institution=public), item="撤回的参数", withdrawn_at=now)
    html = client.get(profile_url(public)).content.decode()
    assert "已撤回场所" not in html and "撤回签字人" not in html and withdrawn.number not in html
    schedule = client.get(capabilities_url(public)).content.decode()
    assert "撤回证书的参数" not in schedule and "撤回的参数" not in schedule


def test_profile_says_when_its_information_was_last_updated(client, public):
    Institution.objects.filter(pk=public.pk).update(
        updated_at=timezone.make_aware(datetime.datetime(2024, 1, 5))
    )
    certificate = CertificateFactory(institution=public)
    Certificate.objects.filter(pk=certificate.pk).update(
        updated_at=timezone.make_aware(datetime.datetime(2024, 2, 1))
    )
    signatory = SignatoryFactory(institution=public)
    Signatory.objects.filter(pk=signatory.pk).update(
        updated_at=timezone.make_aware(datetime.datetime(2025, 3, 9, 12))
    )
    assert "信息更新于" in (html := client.get(profile_url(public)).content.decode())
    assert ">2025-03-09</time>" in html


def test_only_valid_certificates_get_a_verify_code(client, public):
    valid = CertificateFactory(institution=public)
    lapsed = CertificateFactory(
        institution=public, issued_on=days_from_today(-3000), expires_on=days_from_today(-10)
    )
    suspended = CertificateFactory(institution=public, status=CertificateStatus.SUSPENDED)
    html = client.get(profile_url(public)).content.decode()
    assert "已过期" in html and "暂停" in html
    assert reverse("verify:certificate", args=[valid.number]) in html
    for other in (lapsed, suspended):
        assert reverse("verify:certificate", args=[other.number]) not in html


@pytest.mark.parametrize("status", [InstitutionStatus.REVOKED, InstitutionStatus.CANCELLED])
def test_a_non_public_institution_has_no_profile_schedule_or_download(client, db, status):
    hidden = InstitutionFactory(status=status)
    CapabilityFactory(certificate=CertificateFactory(institution=hidden))
    for url in (profile_url(hidden), capabilities_url(hidden), export_url(hidden)):
        assert client.get(url).status_code == 404, url


def test_the_schedule_searches_item_and_standard(client, public):
    certificate = CertificateFactory(institution=public)
    CapabilityFactory(certificate=certificate, item="铅", standard="GB 5009.12-2017 食品中铅的测定")
    CapabilityFactory(certificate=certificate, item="水分", standard="GB 5009.3-2016 食品中水分的测定")
    html = client.get(capabilities_url(public), {"q": "5009.12"}).content.decode()
    assert "食品中铅的测定" in html and "食品中水分的测定" not in html
    html = client.get(capabilities_url(public), {"q": "水分"}).content.decode()
    assert "食品中水分的测定" in html and "食品中铅的测定" not in html
    assert "没有符合检索条件的能力" in client.get(capabilities_url(public), {"q": "不存在"}).content.decode()


def test_the_schedule_is_paginated(client, public):
    certificate = CertificateFactory(institution=public)
    CapabilityFactory.create_batch(CAPABILITY_PAGE_SIZE + 3, certificate=certificate)
    first = client.get(capabilities_url(public)).content.decode()
    assert f"共 {CAPABILITY_PAGE_SIZE + 3} 条" in first and 'rel="next"' in first
    last = client.get(capabilities_url(public), {"page": 2}).content.decode()
    assert last.count('data-label="证书编号"') == 3


def test_the_download_holds_the_searched_schedule(client, public):
    certificate = CertificateFactory(institution=public)
    CapabilityFactory(
        certificate=certificate, seq=1, item="铅", standard="GB 5009.12-2017", limitation="只用第二法"
    )
    CapabilityFactory(certificate=certificate, seq=2, item="水分", standard="GB 5009.3-2016")
    response = client.get(export_url(public), {"q": "铅"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "证书编号",
        "序号",
        "类别",
        "产品/项目/参数",
        "依据的标准（方法）名称及编号（含年号）",
        "限制范围",
        "说明",
        "检验检测场所",
    )
    assert len(rows) == 2 and rows[1][3] == "铅" and rows[1][5] == "只用第二法"


def test_the_download_is_bounded(client, public, monkeypatch):
    monkeypatch.setattr("institutions.views.public_profile.CAPABILITY_EXPORT_MAX_ROWS", 2)
    CapabilityFactory.create_batch(4, certificate=CertificateFactory(institution=public))
    response = client.get(export_url(public))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows())
    assert len(rows) == 1 + 2


def _fill(institution, rows: int) -> None:
    certificate = CertificateFactory(institution=institution)
    sites = SiteFactory.create_batch(2, institution=institution)
    Capability.objects.bulk_create(
        Capability(
            institution=institution,
            certificate=certificate,
            seq=i + 1,
            item=f"参数{i}",
            standard="GB 1",
            site=sites[i % 2],
        )
        for i in range(rows)
    )
    SignatoryFactory.create_batch(rows // 5 + 1, institution=institution)
    SoftwareCopyrightFactory.create_batch(rows // 5 + 1, institution=institution)
    PatentFactory.create_batch(rows // 5 + 1, institution=institution)


@pytest.mark.parametrize("page", ["profile", "capabilities", "search"])
@pytest.mark.parametrize("rows", [5, 50])
def test_profile_queries_do_not_grow_with_rows(client, db, django_assert_max_num_queries, page, rows):
    institution = InstitutionFactory()
    _fill(institution, rows)
    url = {
        "profile": profile_url(institution),
        "capabilities": capabilities_url(institution),
        "search": capabilities_url(institution) + "?q=%E5%8F%82%E6%95%B0",
    }[page]
    # The profile: 9 of its own + 1 per section other modules declare (news: 监督检查与行政处罚) + 1 per
    # facet they declare (credit: 信用等级; centers: 依托中心).
    most = {"profile": 12, "capabilities": 3, "search": 3}[page]
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_the_schedule_download_is_limited_per_client_address(db, client, settings):
    from django.test import Client
    from django.urls import reverse

    from tests.factories import CapabilityFactory, CertificateFactory, InstitutionFactory

    settings.PUBLIC_DOWNLOAD_LIMITS = [(2, 60)]
    institution = InstitutionFactory()
    CapabilityFactory(certificate=CertificateFactory(institution=institution), institution=institution, seq=1)
    url = reverse("institutions:public_capabilities_export", args=[institution.pk])
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode() and int(refused["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="198.51.100.7").get(url).status_code == 200
