"""05 信用管理 in the workspace: 信用评价结果 and 信用画像, for members with manage_credit of institutions
holding a Jiangsu-issued certificate only, computed live from the ledger and explained event by event."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credit.choices import EventSource
from credit.models import CreditObjection, CreditScore, CreditSnapshot
from credit.services import event_record, scores_recalculate
from sujt.core.choices import ReviewStatus
from tests.factories import CertificateFactory, make_cma_number

HOME = reverse("credit:home")
PORTRAIT = reverse("credit:portrait")
TODAY = timezone.localdate()


def record(institution, code: str, key: str, days_ago: int = 10):
    return event_record(
        institution_id=institution.pk,
        item_code=code,
        occurred_on=TODAY - datetime.timedelta(days=days_ago),
        source=EventSource.MANUAL,
        source_key=key,
    )


@pytest.fixture
def jiangsu(institution):
    CertificateFactory(institution=institution, number=make_cma_number(authority="10"))
    return institution


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("inst_staff", 403), ("other_inst_admin", 404), ("inst_admin", 200)],
)
@pytest.mark.parametrize("url", [HOME, PORTRAIT])
def test_only_members_with_the_permission_of_a_jiangsu_institution_see_it(
    jiangsu, client_for, who, status, url
):
    # other_inst_admin's institution holds no Jiangsu-issued certificate: the module does not exist there.
    CertificateFactory(number=make_cma_number(authority="00"))
    assert client_for(who).get(url).status_code == status


def test_a_national_certificate_only_means_no_menu_and_404(institution, client_for):
    CertificateFactory(institution=institution, number=make_cma_number(authority="00"))
    client = client_for("inst_admin")
    assert client.get(HOME).status_code == 404
    assert 'href="/credit/"' not in client.get(reverse("portal:dashboard")).content.decode()


def test_the_menu_offers_it_to_a_jiangsu_institution(jiangsu, client_for):
    assert 'href="/credit/"' in client_for("inst_admin").get(reverse("portal:dashboard")).content.decode()


def test_the_result_is_live_and_explains_every_event(jiangsu, other_institution, client_for):
    record(jiangsu, "K03", "test:k03")
    record(jiangsu, "J02", "test:j02")
    record(other_institution, "K07", "test:other")
    html = client_for("inst_admin").get(HOME).content.decode()
    assert re.search(r'credit-score-value">97(\.0)?<', html)  # no recalculation has run yet
    assert "K03 责令限期整改" in html and "J02 高新技术企业" in html
    assert "K07" not in html  # another institution's ledger
    assert "A 级" in html


def test_pending_objections_show_what_they_would_change(jiangsu, inst_admin, client_for):
    event = record(jiangsu, "K09", "test:k09")
    CreditObjection.objects.create(
        institution=jiangsu,
        event=event,
        reason="处罚已撤销",
        status=ReviewStatus.SUBMITTED,
        applicant=inst_admin,
    )
    html = client_for("inst_admin").get(HOME).content.decode()
    assert "1 项申疑" in html and "若全部通过，信用分将为 100" in html


def test_the_portrait_draws_the_trend_and_the_dimensions(jiangsu, client_for):
    record(jiangsu, "K05", "test:k05", days_ago=70)
    scores_recalculate(institution_ids=[jiangsu.pk], day=TODAY - datetime.timedelta(days=60))
    CreditSnapshot.objects.filter(institution=jiangsu).update(score=Decimal("97"))
    html = client_for("inst_admin").get(PORTRAIT).content.decode()
    assert html.count('<svg class="chart"') == 2
    month = f"{TODAY - datetime.timedelta(days=60):%Y-%m}"
    assert f'<td data-label="月份">{month}</td><td data-label="信用分">97' in html
    assert f'<td data-label="月份">{TODAY:%Y-%m}</td>' in html
    assert '<td data-label="维度">经营状况</td><td data-label="加减分">-3' in html


@pytest.mark.parametrize("events", [3, 12])
def test_the_result_page_queries_do_not_grow_with_the_ledger(
    jiangsu, client_for, events, django_assert_max_num_queries
):
    for n in range(events):
        record(jiangsu, "K02", f"test:many:{n}")
    client = client_for("inst_admin")
    client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
    # session, user, membership, permission, module applies, policy, events, three pending counts, the
    # layout's memberships and unread count.
    assert len(queries) <= 14


def test_the_command_recalculates_one_or_all(jiangsu, capsys):
    record(jiangsu, "K04", "test:k04")
    call_command("recalculate_credit", institution=jiangsu.pk)
    assert CreditScore.objects.get(institution=jiangsu).score == Decimal("90")
    call_command("recalculate_credit")
    assert "1 家机构适用信用管理" in capsys.readouterr().out


def test_the_dashboard_shows_the_credit_portrait_block(jiangsu, client_for):
    record(jiangsu, "K09", "test:dashboard")
    client = client_for("inst_admin")
    client.get(reverse("portal:dashboard"))
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("portal:dashboard")).content.decode()
    assert "机构自身信用画像" in html and re.search(r'credit-score-value">90(\.0)?<', html)
    assert 'aria-labelledby="dashboard-credit-title dashboard-credit-desc"' in html
    assert f'href="{HOME}"' in html
    # The dashboard's own bound (tests/portal/test_dashboard.py) plus the block: whether the member may
    # manage credit, the policy, the ledger, the snapshots.
    assert len(queries) <= 27


def test_no_credit_block_without_the_permission_or_a_jiangsu_certificate(institution, jiangsu, client_for):
    assert (
        "机构自身信用画像" not in client_for("inst_staff").get(reverse("portal:dashboard")).content.decode()
    )
    assert (
        "机构自身信用画像"
        not in client_for("other_inst_admin").get(reverse("portal:dashboard")).content.decode()
    )
