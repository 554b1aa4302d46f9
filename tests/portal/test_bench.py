"""`manage.py bench`'s parts (sujt/portal/benchmark.py) against a live server in this process: the client
pool counts and times every request, a response other than 200 is an error, a session made by the bench
logs its user in on the server, and the figures and their ratios to the floor come out as the JSON says.
(The command itself starts gunicorn on the current database; it is run by hand, see docs/performance.md.)"""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sujt.accounts.choices import MembershipRole
from sujt.portal import benchmark
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_request_is_timed_and_counted(live_server):
    result = benchmark.drive(live_server.url, benchmark.FLOOR_URL, clients=3, requests=12)
    assert (len(result.latencies_ms), result.errors) == (12, 0)
    assert 0 < result.p50 <= result.p95 and result.throughput > 0


def test_a_response_other_than_200_is_an_error(live_server):
    result = benchmark.drive(live_server.url, "/no-such-page/", clients=2, requests=4)
    assert (len(result.latencies_ms), result.errors) == (0, 4)
    # Anonymous on a workspace page: a redirect to the login page, not a measured page.
    assert benchmark.drive(live_server.url, reverse("portal:dashboard"), clients=1, requests=2).errors == 2


def test_the_bench_session_logs_its_user_in(live_server):
    admin = MembershipFactory(role=MembershipRole.ADMIN).user
    cookie = benchmark.session_cookie(admin)
    result = benchmark.drive(
        live_server.url, reverse("portal:dashboard"), cookie=cookie, clients=2, requests=4
    )
    assert (len(result.latencies_ms), result.errors) == (4, 0)


def test_the_figures_and_their_ratios_to_the_floor():
    floor = benchmark.PageResult(
        name="floor", url="/help/", who="公众", latencies_ms=[10.0] * 20, seconds=0.5
    )
    page = benchmark.PageResult(
        name="page", url="/", who="公众", latencies_ms=[20.0] * 19 + [100.0], errors=1, seconds=2.0
    )
    figures = page.as_dict(floor)
    assert figures["requests"] == 20 and figures["errors"] == 1
    assert (figures["p50_ms"], figures["p95_ms"]) == (20.0, 20.0)  # the 19th of 20 ordered timings
    assert figures["throughput_rps"] == 10.0
    assert (figures["p50_to_floor"], figures["throughput_to_floor"]) == (2.0, 0.25)


def test_the_command_refuses_a_database_without_the_users_it_measures_as():
    with pytest.raises(CommandError, match="没有机构管理员或省级监管人员"):
        call_command("bench", requests=2, clients=1)
