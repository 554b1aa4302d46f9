import pytest
from django.test import Client

from sujt.core import notifications
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture(autouse=True)
def sms_outbox():
    """The LocmemSmsBackend outbox, empty at the start of each test."""
    notifications.sms_outbox.clear()
    yield notifications.sms_outbox
    notifications.sms_outbox.clear()


@pytest.fixture
def login():
    """login(client, phone, password, ip=...) posts the login form like a browser does."""

    def post(client: Client, phone: str, password: str = DEFAULT_PASSWORD, ip: str = "10.0.0.1", **extra):
        meta = {key: value for key, value in extra.items() if key.startswith("HTTP_")}
        data = {key: value for key, value in extra.items() if key not in meta}
        return client.post(
            "/accounts/login/", {"username": phone, "password": password, **data}, REMOTE_ADDR=ip, **meta
        )

    return post
