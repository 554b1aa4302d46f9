"""Open data of the public searches (issue 13 item 5): Excel downloads and JSON pages of 机构查询 and
谁能检, the same rows as the pages, bounded, limited per client address."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from institutions.models import InstitutionField
from institutions.search.services import search_index_update
from tests.factories import CapabilityFactory, CertificateFactory, InstitutionFactory

DIRECTORY_EXPORT = reverse("institutions:directory_export")
DIRECTORY_JSON = reverse("institutions:directory_json")
CAPABILITIES_EXPORT = reverse("capabilities:export")
CAPABILITIES_JSON = reverse("capabilities:json")


def sheet(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


@pytest.fixture
def labs(db):
    made = []
    for n, (region, item) in enumerate(
        [
            ("320102", "钢筋 屈服强度"),
            ("320505", "钢筋 拉伸性能"),
            ("320205", "水泥 胶砂强度"),
            ("320104", "钢筋 弯曲性能"),
        ]
    ):
        lab = InstitutionFactory(
            name=f"开放数据检测{n}",
            region_code=region,
            completeness=90 - n,
            contact_person="钱联系",
            contact_phone="13912345678",
        )
        InstitutionField.objects.create(institution=lab, code="02")
        certificate = CertificateFactory(institution=lab)
        CapabilityFactory(
            certificate=certificate, institution=lab, seq=1, item=item, standard="GB/T 28900-2012"
        )
        made.append(lab)
    search_index_update(institution_ids=[lab.pk for lab in made])
    return made


def test_the_directory_download_holds_the_searched_institutions_in_page_order(client, labs):
    rows = sheet(client.get(DIRECTORY_EXPORT, {"q": "钢筋"}))
    assert rows[0][:4] == ("机构名称", "统一社会信用代码", "所在地区", "检验检测领域")
    assert [row[0] for row in rows[1:]] == ["开放数据检测0", "开放数据检测1", "开放数据检测3"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["所在地区"], first["检验检测领域"], first["匹配的能力数"]) == ("南京市玄武区", "建材", 1)
    assert first["信用等级"] is None  # a facet declared by 05; no score here
    assert "钱联系" not in str(rows) and "13912345678" not in str(rows)


def test_the_directory_download_follows_the_filters_and_is_bounded(client, labs, monkeypatch):
    rows = sheet(client.get(DIRECTORY_EXPORT, {"q": "钢筋", "city": "320500"}))
    assert [row[0] for row in rows[1:]] == ["开放数据检测1"]
    monkeypatch.setattr("institutions.views.open_data.DIRECTORY_EXPORT_MAX_ROWS", 2)
    assert len(sheet(client.get(DIRECTORY_EXPORT))) == 3


def test_the_directory_page_links_its_downloads_with_the_same_search(client, labs):
    html = client.get(reverse("institutions:directory"), {"q": "钢筋", "city": "320100"}).content.decode()
    assert f'href="{DIRECTORY_EXPORT}?q=%E9%92%A2%E7%AD%8B&amp;city=320100"' in html
    assert f'href="{DIRECTORY_JSON}?q=%E9%92%A2%E7%AD%8B&amp;city=320100"' in html


def test_the_capability_download_holds_the_rows_of_the_search(client, labs, monkeypatch):
    rows = sheet(client.get(CAPABILITIES_EXPORT, {"q": "钢筋"}))
    assert rows[0][0] == "机构名称" and "产品/项目/参数" in rows[0]
    item = rows[0].index("产品/项目/参数")
    assert [(row[0], row[item]) for row in rows[1:]] == [
        ("开放数据检测0", "钢筋 屈服强度"),
        ("开放数据检测1", "钢筋 拉伸性能"),
        ("开放数据检测3", "钢筋 弯曲性能"),
    ]
    monkeypatch.setattr("institutions.views.open_data.CAPABILITY_SEARCH_EXPORT_MAX_ROWS", 1)
    assert len(sheet(client.get(CAPABILITIES_EXPORT, {"q": "钢筋"}))) == 2


def test_the_directory_json_is_the_page_paginated(client, labs):
    body = client.get(DIRECTORY_JSON, {"q": "钢筋", "page_size": "2"}).json()
    assert body["count"] == 3 and body["pages"] == 2 and body["page"] == 1 and body["previous"] is None
    assert [row["name"] for row in body["results"]] == ["开放数据检测0", "开放数据检测1"]
    first = body["results"][0]
    assert first["region"] == "南京市玄武区" and first["fields"] == [{"code": "02", "name": "建材"}]
    assert first["matched_capability_count"] == 1 and first["certificate"]["status_display"] == "有效"
    assert first["url"].endswith(reverse("institutions:public_detail", args=[labs[0].pk]))
    following = client.get(body["next"]).json()
    assert [row["name"] for row in following["results"]] == ["开放数据检测3"] and following["next"] is None
    raw = client.get(DIRECTORY_JSON).content.decode()
    assert "钱联系" not in raw and "13912345678" not in raw and "contact" not in raw


def test_the_capability_json_has_the_schedule_columns(client, labs):
    body = client.get(CAPABILITIES_JSON, {"q": "钢筋", "city": "320100"}).json()
    assert body["count"] == 2
    row = body["results"][0]
    assert row["item"] == "钢筋 屈服强度" and row["standard"] == "GB/T 28900-2012"
    assert row["institution"]["name"] == "开放数据检测0" and row["institution"]["region"] == "南京市玄武区"
    assert client.get(CAPABILITIES_JSON).json() == {
        "count": 0,
        "page": 1,
        "pages": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.mark.parametrize(("asked", "given"), [("500", 100), ("0", 1), ("x", 20)])
def test_the_json_page_size_is_bounded(client, labs, asked, given):
    assert client.get(DIRECTORY_JSON, {"page_size": asked}).json()["page_size"] == given


def test_the_json_is_limited_per_client_address_with_a_json_refusal(db, client, settings):
    settings.PUBLIC_API_LIMITS = [(3, 60)]
    assert [client.get(DIRECTORY_JSON).status_code for _ in range(2)] == [200, 200]
    assert client.get(CAPABILITIES_JSON, {"q": "钢筋"}).status_code == 200  # one budget for both
    refused = client.get(DIRECTORY_JSON)
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    body = json.loads(refused.content)
    assert "请求过于频繁" in body["error"] and body["retry_after"] == int(refused["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="198.51.100.7").get(DIRECTORY_JSON).status_code == 200


def test_the_search_downloads_share_the_download_limit(db, client, settings):
    settings.PUBLIC_DOWNLOAD_LIMITS = [(2, 60)]
    assert client.get(DIRECTORY_EXPORT).status_code == 200
    assert client.get(CAPABILITIES_EXPORT, {"q": "钢筋"}).status_code == 200
    refused = client.get(DIRECTORY_EXPORT)
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()


def test_a_district_alone_chooses_its_city_and_one_of_another_city_is_dropped(client, labs):
    def found(**params) -> list[str]:
        return [row["name"] for row in client.get(DIRECTORY_JSON, params).json()["results"]]

    assert found(district="320505") == ["开放数据检测1"]
    assert found(city="320500", district="320104") == ["开放数据检测1"]
    html = client.get(reverse("institutions:directory")).content.decode()
    assert '<optgroup label="苏州市">' in html and '<option value="320505">虎丘区</option>' in html
    html = client.get(reverse("institutions:directory"), {"district": "320505"}).content.decode()
    assert '<option value="320500" selected>苏州市</option>' in html
    assert '<option value="320505" selected>虎丘区</option>' in html and "<optgroup" not in html
