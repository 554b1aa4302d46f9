"""Fixtures of the sync tests: the fake approval system on an ephemeral port, the client pointed at it."""

import pytest

from institutions.sync.fake_server import FakeApprovalServer

FAKE_TOKEN = "test-token"


@pytest.fixture
def fake_api(settings):
    """A running fake approval system (12 institutions × 5 capabilities); settings point the client at it."""
    with FakeApprovalServer(institutions=12, capabilities=5, seed=7, token=FAKE_TOKEN) as server:
        settings.QUALIFICATION_API_URL = server.url
        settings.QUALIFICATION_API_TOKEN = FAKE_TOKEN
        settings.QUALIFICATION_API_TIMEOUT = 5
        settings.QUALIFICATION_PAGE_SIZE = 5
        yield server
