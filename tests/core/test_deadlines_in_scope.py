"""Deadlines for regulators (sujt/core/deadlines.py, `oversight=`): counts and the most urgent objects in a
jurisdiction, by the one region rule, in two queries per deadline whatever the number of objects.

A test deadline is declared on certificates' expiry dates (any date field would do); the dates are fixed
by passing `today=`.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.choices import CertificateStatus
from institutions.integrations.certificates import CERTIFICATE_DEADLINE
from institutions.models import Certificate
from sujt.core.deadlines import (
    DeadlineOversight,
    Offset,
    deadline_items_in_scope,
    register_deadline,
    unregister_deadline,
)
from tests.factories import CertificateFactory, InstitutionFactory

TODAY = datetime.date(2027, 3, 15)
KEY = "tests.certificate_oversight"


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def oversee():
    """Registers the test deadline with regulators' oversight (options override the defaults) and
    removes it again."""
    keys = []

    def make(**options):
        options.setdefault("region_field", "institution__region_code")
        options.setdefault("owner", lambda certificate: certificate.institution.name)
        options.setdefault("horizon", Offset(days=30))
        keys.append(KEY)
        return register_deadline(
            KEY,
            label="测试证书核查",
            model=Certificate,
            due="expires_on",
            queryset=lambda: Certificate.objects.filter(status=CertificateStatus.VALID).select_related(
                "institution"
            ),
            oversight=DeadlineOversight(**options),
        )

    yield make
    for key in keys:
        unregister_deadline(key)


def summary_of(scope, *, today=TODAY, key=KEY, **kwargs):
    return next(s for s in deadline_items_in_scope(scope=scope, today=today, **kwargs) if s.key == key)


@pytest.fixture
def nanjing(db):
    return InstitutionFactory(name="金陵计量检测有限公司", region_code="320102")


@pytest.fixture
def suzhou(db):
    return InstitutionFactory(name="姑苏环境检测有限公司", region_code="320505")


def test_a_city_counts_only_its_own_and_its_districts_objects(oversee, nanjing, suzhou):
    oversee()
    CertificateFactory(institution=nanjing, expires_on=day(-3))  # overdue
    CertificateFactory(institution=nanjing, expires_on=day(10))  # due soon
    CertificateFactory(institution=nanjing, expires_on=day(31))  # beyond the 30-day horizon
    CertificateFactory(institution=suzhou, expires_on=day(-1))
    CertificateFactory(institution=suzhou, expires_on=day(5))
    CertificateFactory(institution=suzhou, expires_on=day(6))

    city = summary_of("320100")
    assert (city.overdue, city.due_soon, city.total) == (1, 1, 2)
    assert {item.owner for item in city.items} == {"金陵计量检测有限公司"}
    assert (summary_of("320102").overdue, summary_of("320102").due_soon) == (1, 1)  # its district
    assert (summary_of("320104").overdue, summary_of("320104").due_soon) == (0, 0)  # another district
    assert (summary_of("320500").overdue, summary_of("320500").due_soon) == (1, 2)
    assert (summary_of("320000").overdue, summary_of("320000").due_soon) == (2, 3)


def test_no_jurisdiction_sees_nothing(oversee, nanjing):
    oversee()
    CertificateFactory(institution=nanjing, expires_on=day(-3))
    nobody = summary_of(None)
    assert (nobody.overdue, nobody.due_soon, nobody.items) == (0, 0, [])


def test_items_are_the_most_urgent_first_with_days_and_the_admin_change_page(oversee, nanjing):
    oversee()
    later = CertificateFactory(institution=nanjing, expires_on=day(20))
    today = CertificateFactory(institution=nanjing, expires_on=TODAY)
    overdue = CertificateFactory(institution=nanjing, expires_on=day(-4))
    CertificateFactory(
        institution=nanjing, expires_on=day(-2), status=CertificateStatus.EXPIRED
    )  # not running

    items = summary_of("320100").items
    assert [item.title for item in items] == [overdue.number, today.number, later.number]
    assert [item.due_text for item in items] == ["已逾期 4 天", "今天到期", "还剩 20 天"]
    assert [item.is_overdue for item in items] == [True, False, False]
    assert items[0].due_on == day(-4)
    assert items[0].url == reverse("admin:institutions_certificate_change", args=[overdue.pk])


def test_the_list_is_cut_at_the_limit_but_the_counts_are_not(oversee, nanjing):
    oversee()
    for n in range(7):
        CertificateFactory(institution=nanjing, expires_on=day(n))
    summary = summary_of("320100", limit=3)
    assert summary.due_soon == 7
    assert [item.due_on for item in summary.items] == [day(0), day(1), day(2)]


def test_a_horizon_in_months_ends_where_expires_within_3_months_ends(oversee, nanjing):
    """3 months from 11-30 ends on 02-28 (the month's last day), as the certificate filters count."""
    oversee(horizon=Offset(months=3))
    today = datetime.date(2026, 11, 30)
    CertificateFactory(institution=nanjing, expires_on=datetime.date(2027, 2, 28))
    CertificateFactory(institution=nanjing, expires_on=datetime.date(2027, 3, 1))
    summary = summary_of("320100", today=today)
    assert summary.due_soon == 1
    assert summary.horizon_label == "3个月内"


def test_two_queries_per_deadline_whatever_the_number_of_objects(oversee, nanjing, suzhou):
    oversee()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            summary_of("320000")
        return len(captured)

    nothing_due = queries()
    for n in range(3):
        CertificateFactory(institution=nanjing, expires_on=day(n - 1))
    few = queries()
    for n in range(12):
        CertificateFactory(institution=suzhou, expires_on=day(n - 5))
    many = queries()
    # Every declared deadline counts; nothing due skips the page query of each.
    assert few == many
    assert nothing_due < few


def test_oversight_needs_a_due_field(db):
    with pytest.raises(ValueError, match="date field"):
        register_deadline(
            "tests.callable_due",
            model=Certificate,
            due=lambda certificate: certificate.expires_on,
            oversight=DeadlineOversight(region_field="institution__region_code"),
        )


def test_certificate_expiry_shows_the_renewal_window_and_links_the_filtered_certificate_list(db):
    """The first declaration: valid certificates expiring within 3 months, 查看全部 → ?expiry=3m."""
    institution = InstitutionFactory(region_code="320105")
    soon = CertificateFactory(institution=institution, expires_on=datetime.date(2027, 6, 15))
    CertificateFactory(institution=institution, expires_on=datetime.date(2027, 6, 16))
    summary = summary_of("320100", today=datetime.date(2027, 3, 15), key=CERTIFICATE_DEADLINE)
    assert (summary.label, summary.overdue, summary.due_soon) == ("资质认定证书到期", 0, 1)
    assert summary.list_url == f"{reverse('admin:institutions_certificate_changelist')}?expiry=3m"
    assert summary.items[0].title == f"证书 {soon.number}"
    assert summary.items[0].owner == institution.name
