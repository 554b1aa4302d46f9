"""The per-institution term sums (InstitutionSearchTerm) and the matching rules read from them
(institutions.search.match): the index follows every change, a piece matches by the first rule that
finds anything, and 谁能检's pages built from the institutions' counts hold exactly the matching rows."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from institutions.models import Capability, CapabilitySearch, Certificate, InstitutionSearchTerm
from institutions.search.match import capability_match, longest_words
from institutions.search.services import search_index_update
from institutions.selectors.capability_search import public_capability_rows
from tests.factories import CapabilityFactory, CertificateFactory, InstitutionFactory


def _schedule(institution, *items: str, standard: str = "GB 5009.12-2017", certificate=None) -> Certificate:
    certificate = certificate or CertificateFactory(institution=institution)
    for seq, item in enumerate(items, 1):
        CapabilityFactory(
            certificate=certificate, institution=institution, seq=seq, item=item, standard=standard
        )
    return certificate


def term_sums(institution) -> dict[str, int]:
    return dict(
        InstitutionSearchTerm.objects.filter(institution=institution).values_list("term", "capabilities")
    )


def expected_sums(institution) -> dict[str, int]:
    """The sums counted from the institution's search rows, the slow way."""
    counts: Counter = Counter()
    for terms in CapabilitySearch.objects.filter(institution=institution).values_list("terms", flat=True):
        counts.update(terms.split())
    return dict(counts)


@pytest.fixture
def lab(db):
    lab = InstitutionFactory(name="江南检测有限公司")
    _schedule(lab, "食品中铅", "蔬菜中铅", "大肠菌群", standard="GB 4789.3-2016 食品中大肠菌群计数")
    search_index_update(institution_ids=[lab.pk])
    return lab


def test_the_term_sums_count_the_capabilities_with_each_term(lab):
    sums = term_sums(lab)
    assert sums == expected_sums(lab)
    assert sums["铅"] == 2 and sums["大肠菌群"] == 3 and sums["gb4789.3"] == 3


def test_an_edited_capability_updates_the_sums_after_the_commit(lab, django_capture_on_commit_callbacks):
    capability = Capability.objects.get(institution=lab, item="大肠菌群")
    with django_capture_on_commit_callbacks(execute=True):
        capability.item = "菌落总数"
        capability.save()
    sums = term_sums(lab)
    assert sums == expected_sums(lab)
    assert "菌落" in sums and sums["铅"] == 2


def test_a_deleted_capability_leaves_the_sums(lab, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Capability.objects.get(institution=lab, item="食品中铅").delete()
    assert term_sums(lab)["铅"] == 1
    assert term_sums(lab) == expected_sums(lab)


def test_deleting_a_certificate_refreshes_its_institution_once(lab, django_capture_on_commit_callbacks):
    certificate = lab.certificates.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        certificate.delete()
    ours = [callback for callback in callbacks if getattr(callback, "search_marker", None)]
    assert len(ours) == 1  # not one per capability
    assert term_sums(lab) == {}


def test_a_withdrawn_certificate_takes_its_capabilities_out_of_the_index(
    lab, django_capture_on_commit_callbacks
):
    other = _schedule(lab, "土壤 铅")
    search_index_update(institution_ids=[lab.pk])
    assert term_sums(lab)["铅"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        other.withdrawn_at = other.created_at
        other.save()
    assert term_sums(lab)["铅"] == 2
    assert not CapabilitySearch.objects.filter(capability__certificate=other).exists()


def test_longest_words_drop_the_words_inside_longer_ones():
    assert longest_words(("大肠", "大肠菌", "大肠菌群")) == ("大肠菌群",)
    assert longest_words(("食品", "安全", "食品安全", "国家", "标准", "国家标准")) == ("食品安全", "国家标准")


@pytest.fixture
def three(db):
    whole = InstitutionFactory(name="甲检测所")
    _schedule(whole, "食品安全国家标准 复核", "大肠菌群")
    apart = InstitutionFactory(name="乙检测所")
    _schedule(apart, "食品安全 抽检", "国家标准 宣贯")  # the words in two different capabilities
    together = InstitutionFactory(name="丙检测所")
    _schedule(together, "食品安全 抽检依据国家标准")  # both words in one capability
    search_index_update(institution_ids=[whole.pk, apart.pk, together.pk])
    return whole, apart, together


def test_a_piece_that_is_a_term_is_answered_by_the_sums_alone(three, django_assert_num_queries):
    whole, _, _ = three
    with django_assert_num_queries(1):
        match = capability_match(q="大肠菌群 食品安全")
    assert [piece.terms for piece in match.pieces] == [("大肠菌群",), ("食品安全",)]
    assert match.pieces[0].counts == {whole.pk: 1}


def test_two_words_typed_together_are_one_term_of_the_index(three):
    whole, _, _ = three
    (piece,) = capability_match(q="食品安全国家标准").pieces
    assert piece.terms == ("食品安全国家标准",)  # the two words as written in 甲's capability
    assert piece.counts == {whole.pk: 1}


def test_a_piece_of_several_words_matches_capabilities_holding_all_of_them(three):
    whole, _apart, together = three
    (piece,) = capability_match(q="国家标准食品安全").pieces  # written so nowhere
    assert piece.terms == ("国家标准", "食品安全") and not piece.substring
    assert piece.counts == {whole.pk: 1, together.pk: 1}  # not 乙: its words are in two capabilities


def test_a_fragment_no_capability_has_as_words_matches_as_a_substring(three):
    _, _, together = three
    (piece,) = capability_match(q="据国家标").pieces
    assert piece.substring
    assert piece.counts == {together.pk: 1}
    (nothing,) = capability_match(q="查无此项").pieces
    assert nothing.counts == {}


@pytest.fixture
def schedules(db):
    """Four public labs with 1, 3, 2 and 4 capabilities with 铅, of which some also name 蔬菜."""
    labs = []
    for number, (completeness, items) in enumerate(
        [
            (90, ["食品中铅"]),
            (70, ["蔬菜中铅", "水分", "茶叶中铅", "蔬菜 铅 复检"]),
            (70, ["土壤 铅", "大米中铅"]),
            (40, ["蔬菜中铅", "铅 快检", "蔬菜 镉", "水果中铅", "饮料中铅"]),
        ]
    ):
        lab = InstitutionFactory(name=f"第{number}检测所", completeness=completeness)
        _schedule(lab, *items)
        labs.append(lab)
    search_index_update(institution_ids=[lab.pk for lab in labs])
    return labs


def brute_force(q_terms: list[str]) -> list[int]:
    """The matching capability ids in 谁能检's order, by filtering every row."""
    rows = []
    for capability in Capability.objects.select_related("institution", "search_row"):
        terms = capability.search_row.terms.split()
        if all(term in terms for term in q_terms):
            rows.append(capability)
    rows.sort(
        key=lambda c: (
            -c.institution.completeness,
            c.institution.name,
            c.institution_id,
            c.certificate_id,
            c.seq,
        )
    )
    return [row.pk for row in rows]


@pytest.mark.parametrize(("q", "terms"), [("铅", ["铅"]), ("蔬菜 铅", ["蔬菜", "铅"])])
def test_every_page_and_slice_of_the_rows_is_the_matching_rows_in_order(schedules, q, terms):
    rows = public_capability_rows(q=q)
    expected = brute_force(terms)
    assert rows.count() == len(expected) >= 3
    assert [row.pk for row in rows[0 : rows.count()]] == expected
    for size in (1, 2, 3):
        pages = [row.pk for start in range(0, len(expected), size) for row in rows[start : start + size]]
        assert pages == expected
    assert [row.pk for row in rows[2:5]] == expected[2:5]  # starting inside an institution
    assert rows[len(expected) : len(expected) + 5] == []


def test_a_page_reads_only_its_rows(schedules):
    rows = public_capability_rows(q="铅")
    with CaptureQueriesContext(connection) as queries:
        rows[0:2]
    assert len(queries) == 1
