"""Capability search in the public directory (issue 13): the index, its upkeep and the directory's `q`."""

import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.choices import CertificateStatus, InstitutionStatus
from institutions.models import Capability, CapabilitySearch, Institution, InstitutionSearchTerm
from institutions.search.services import search_index_update
from institutions.selectors import public_institutions
from institutions.sync.services import sync_qualifications
from tests.factories import CapabilityFactory, CertificateFactory, InstitutionFactory
from tests.institutions.sync.builders import make_record

DIRECTORY = reverse("institutions:directory")


def names(response) -> list[str]:
    return re.findall(r'<td><a href="/institutions/\d+/">([^<]+)</a></td>', response.content.decode())


def _capabilities(institution, *rows: tuple[str, str, str], certificate=None) -> None:
    certificate = certificate or CertificateFactory(institution=institution)
    for seq, (category, item, standard) in enumerate(rows, 1):
        CapabilityFactory(
            certificate=certificate,
            institution=institution,
            seq=seq,
            category=category,
            item=item,
            standard=standard,
        )


@pytest.fixture
def data(db):
    building = InstitutionFactory(name="江南建材检测有限公司", region_code="320102")
    _capabilities(
        building,
        ("建筑材料", "钢筋", "GB/T 28900-2012 钢筋混凝土用钢材试验方法"),
        ("建筑材料", "混凝土抗压强度", "GB/T 50081-2019 混凝土物理力学性能试验方法标准"),
        ("建筑材料", "热轧带肋钢筋 拉伸性能", "GB/T 1499.2-2018"),
    )
    water = InstitutionFactory(name="太湖水务检测中心", region_code="320505")
    _capabilities(
        water,
        ("水质", "生活饮用水 pH值", "GB/T 5750.4-2006 生活饮用水标准检验方法 感官性状和物理指标"),
        ("水质", "地表水 化学需氧量", "HJ 828-2017 水质 化学需氧量的测定 重铬酸盐法"),
    )
    food = InstitutionFactory(name="金陵食品检验所", region_code="320104")
    _capabilities(
        food,
        ("食品", "食品中铅", "GB 5009.12-2017 食品安全国家标准 食品中铅的测定"),
        ("食品", "水分", "GB 5009.3-2016 食品安全国家标准 食品中水分的测定"),
    )
    noise = InstitutionFactory(name="锡山声学计量站", region_code="320205")
    _capabilities(noise, ("环境", "环境噪声", "GB 3096-2008 声环境质量标准"))
    revoked = InstitutionFactory(name="已撤销钢筋检测所", status=InstitutionStatus.REVOKED)
    _capabilities(revoked, ("建筑材料", "钢筋", "GB/T 28900-2012"))
    search_index_update(institution_ids=[i.pk for i in (building, water, food, noise, revoked)])
    return {"building": building, "water": water, "food": food, "noise": noise, "revoked": revoked}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("钢筋", ["江南建材检测有限公司"]),
        ("混凝土", ["江南建材检测有限公司"]),
        ("水质", ["太湖水务检测中心"]),
        ("化学需氧量", ["太湖水务检测中心"]),
        ("GB 5009", ["金陵食品检验所"]),
        ("gb5009.12-2017", ["金陵食品检验所"]),
        ("GB/T 5750", ["太湖水务检测中心"]),
        ("gb/t5750.4", ["太湖水务检测中心"]),
        ("热轧带肋钢筋", ["江南建材检测有限公司"]),
        ("噪声", ["锡山声学计量站"]),
        ("铅", ["金陵食品检验所"]),
        ("钢筋 拉伸", ["江南建材检测有限公司"]),
        ("钢筋 江南", ["江南建材检测有限公司"]),
        ("钢筋 水质", []),
        ("GB 5750", []),
        ("石油", []),
    ],
)
def test_search_finds_institutions_by_their_capabilities(client, data, q, expected):
    assert names(client.get(DIRECTORY, {"q": q})) == expected


def test_search_by_certificate_number_and_credit_code(client, data):
    number = data["food"].certificates.get().number
    assert names(client.get(DIRECTORY, {"q": number})) == ["金陵食品检验所"]
    assert names(client.get(DIRECTORY, {"q": data["water"].uscc})) == ["太湖水务检测中心"]


def test_relevance_name_first_then_more_matching_capabilities_then_completeness(client, data):
    other = InstitutionFactory(name="苏北质检院", region_code="320102")
    _capabilities(other, ("水质", "水质 浊度", "GB/T 5750.4-2006"), ("水质", "水质 色度", "GB/T 5750.4-2006"),
                  ("水质", "水质 臭和味", "GB/T 5750.4-2006"))  # fmt: skip
    named = InstitutionFactory(name="水质监测站", region_code="320102")
    search_index_update(institution_ids=[other.pk, named.pk])
    assert names(client.get(DIRECTORY, {"q": "水质"})) == ["水质监测站", "苏北质检院", "太湖水务检测中心"]


def test_matched_capabilities_are_shown_highlighted(client, data):
    html = client.get(DIRECTORY, {"q": "钢筋"}).content.decode()
    assert "<mark>钢筋</mark>" in html
    assert "热轧带肋<mark>钢筋</mark> 拉伸性能" in html
    assert "<mark>GB/T 5750</mark>.4-2006" in client.get(DIRECTORY, {"q": "GB/T 5750"}).content.decode()
    assert "<mark>" not in client.get(DIRECTORY, {"q": "江南"}).content.decode()


def test_matched_capabilities_are_at_most_three(client, data):
    _capabilities(data["building"], *[("建筑材料", f"钢筋 项目{n}", "GB/T 28900-2012") for n in range(5)])
    search_index_update(institution_ids=[data["building"].pk])
    html = client.get(DIRECTORY, {"q": "钢筋"}).content.decode()
    assert html.count('class="directory-match-item"') == 3
    assert "共 7 项，显示前 3 项" in html


def test_a_capability_name_is_escaped_in_the_results(client, data):
    _capabilities(data["noise"], ("环境", '<script>alert("x")</script>振动', "GB 10070-88"))
    search_index_update(institution_ids=[data["noise"].pk])
    html = client.get(DIRECTORY, {"q": "振动"}).content.decode()
    assert names(client.get(DIRECTORY, {"q": "振动"})) == ["锡山声学计量站"]
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>振动</mark>" in html
    assert "<mark>script</mark>" in client.get(DIRECTORY, {"q": "script"}).content.decode()


def test_the_certificate_and_its_validity_are_listed(client, data):
    certificate = data["food"].certificates.get()
    html = client.get(DIRECTORY, {"q": "金陵"}).content.decode()
    assert certificate.number in html and certificate.expires_on.isoformat() in html


def test_withdrawn_capabilities_are_not_found(client, data):
    Capability.objects.filter(institution=data["noise"]).update(withdrawn_at="2026-01-01T00:00:00Z")
    search_index_update(institution_ids=[data["noise"].pk])
    assert names(client.get(DIRECTORY, {"q": "噪声"})) == []


def test_an_admin_edit_of_a_capability_reaches_the_index_after_commit(
    client, data, django_capture_on_commit_callbacks
):
    capability = Capability.objects.get(institution=data["noise"])
    capability.item = "建筑声学 隔声量"
    with django_capture_on_commit_callbacks(execute=True):
        capability.save()
    assert names(client.get(DIRECTORY, {"q": "隔声量"})) == ["锡山声学计量站"]
    assert names(client.get(DIRECTORY, {"q": "环境噪声"})) == []
    with django_capture_on_commit_callbacks(execute=True):
        CapabilityFactory(certificate=capability.certificate, institution=data["noise"], item="振动", seq=9)
    assert names(client.get(DIRECTORY, {"q": "振动"})) == ["锡山声学计量站"]


def _sync(tmp_path, records) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    run = sync_qualifications(mode="file", file=str(path))
    assert run.failed == 0, run.errors


def test_the_sync_keeps_the_index_of_the_institutions_it_touched(db, tmp_path, client):
    record = make_record(1, capabilities=2)
    record["capabilities"][0]["item"] = "超声波探伤"
    _sync(tmp_path, [record])
    assert names(client.get(DIRECTORY, {"q": "超声波探伤"})) == [record["name"]]
    assert names(client.get(DIRECTORY, {"q": "GB 5009.2"})) == [record["name"]]

    record["capabilities"][0]["item"] = "磁粉检测"
    record["capabilities"][1]["withdrawn"] = True
    record["updated_at"] = "2026-11-21T10:31:00+08:00"
    _sync(tmp_path, [record])
    assert names(client.get(DIRECTORY, {"q": "超声波探伤"})) == []
    assert names(client.get(DIRECTORY, {"q": "磁粉检测"})) == [record["name"]]
    assert names(client.get(DIRECTORY, {"q": "GB 5009.2"})) == []
    assert CapabilitySearch.objects.count() == 1


def test_rebuild_command_rebuilds_everything(data, capsys):
    CapabilitySearch.objects.all().delete()
    InstitutionSearchTerm.objects.all().delete()
    call_command("rebuild_search_index")
    out = capsys.readouterr().out
    assert "5 家机构，9 条能力" in out
    assert InstitutionSearchTerm.objects.get(institution=data["food"], term="铅").capabilities == 1
    assert CapabilitySearch.objects.count() == Capability.objects.count() == 9
    row = CapabilitySearch.objects.get(capability__item="食品中铅")
    # The user dictionary (the item names) adds whole names as terms and never takes jieba's away.
    assert {"gb5009", "gb5009.12", "食品", "铅", "食品中铅"} <= set(row.terms.split())
    row = CapabilitySearch.objects.get(capability__item="热轧带肋钢筋 拉伸性能")
    assert {"热轧带肋钢筋", "热轧", "钢筋", "拉伸", "性能", "gbt1499.2"} <= set(row.terms.split())


def test_directory_filters_district_certificate_status_and_high_tech(client, data):
    data["water"].is_high_tech = True
    data["water"].save()
    data["building"].certificates.update(status=CertificateStatus.SUSPENDED)
    assert names(client.get(DIRECTORY, {"city": "320100", "district": "320104"})) == ["金陵食品检验所"]
    assert len(names(client.get(DIRECTORY, {"city": "320500", "district": "320104"}))) == 1  # not of the city
    assert names(client.get(DIRECTORY, {"certificate_status": "suspended"})) == ["江南建材检测有限公司"]
    assert names(client.get(DIRECTORY, {"high_tech": "1"})) == ["太湖水务检测中心"]
    # The centers an institution hosts are the facet 依托中心 (tests/centers/test_public.py).
    html = client.get(DIRECTORY, {"city": "320100"}).content.decode()
    assert '<option value="320104">秦淮区</option>' in html


def test_a_fixed_data_set_gives_the_same_top_results_on_every_database(data):
    """The expected lists are the same on SQLite (LIKE) and PostgreSQL (tsvector + trigram)."""
    top = [i.name for i in public_institutions(q="GB")[:5]]
    assert top == []  # "GB" alone is no standard number and too short for a substring
    assert [i.name for i in public_institutions(q="检验方法")] == ["太湖水务检测中心"]
    assert [i.name for i in public_institutions(q="食品安全国家标准")] == ["金陵食品检验所"]
    assert [(i.name, i.relevance) for i in public_institutions(q="试验方法")] == [("江南建材检测有限公司", 2)]
    assert [(i.name, i.relevance) for i in public_institutions(q="测定")] == [
        ("金陵食品检验所", 2),
        ("太湖水务检测中心", 1),
    ]


@pytest.mark.parametrize("q", ["钢筋", "GB 5009"])
def test_directory_search_queries_do_not_grow_with_the_data(client, data, django_assert_max_num_queries, q):
    with CaptureQueriesContext(connection) as small:
        assert client.get(DIRECTORY, {"q": q}).status_code == 200
    for n in range(12):
        institution = InstitutionFactory(name=f"新增钢筋食品检测{n}")
        _capabilities(
            institution, ("建筑材料", "钢筋", "GB 5009.12-2017"), ("食品", "钢筋 水分", "GB 5009.3")
        )
        search_index_update(institution_ids=[institution.pk])
    # The term sums, the count, the page, its fields, its matches, one per facet (05: the credit level;
    # 04: the centers hosted).
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as large:
        assert client.get(DIRECTORY, {"q": q}).status_code == 200
    assert len(large) == len(small)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL=postgres://…)"
)
def test_postgresql_index_has_the_tsvector_and_the_gin_indexes(data):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'institutions_capabilitysearch'")
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT vector::text FROM institutions_capabilitysearch s JOIN institutions_capability c "
            "ON c.id = s.capability_id WHERE c.item = '食品中铅'"
        )
        (vector,) = cursor.fetchone()
    assert {"institutions_capsearch_vector_gin", "institutions_capsearch_text_trgm"} <= indexes
    assert "'gb5009.12'" in vector and "'铅'" in vector


def test_the_sync_queues_the_index_rebuild_for_the_worker_in_batches(db, tmp_path, monkeypatch):
    """The sync's own time does not include the rebuild: it is queued after the pages, a batch of
    institutions per task (tests run the tasks eagerly; here the queue itself is looked at)."""
    from institutions import tasks
    from institutions.sync import services as sync_services

    queued: list[list[int]] = []
    monkeypatch.setattr(sync_services, "SEARCH_INDEX_TASK_INSTITUTIONS", 2)
    monkeypatch.setattr(tasks.search_index_update_task, "delay", queued.append)
    _sync(tmp_path, [make_record(n, capabilities=1) for n in range(1, 6)])
    assert [len(batch) for batch in queued] == [2, 2, 1]
    assert sorted(pk for batch in queued for pk in batch) == sorted(
        Institution.objects.values_list("pk", flat=True)
    )
    assert not CapabilitySearch.objects.exists()  # nothing rebuilt inside the sync
