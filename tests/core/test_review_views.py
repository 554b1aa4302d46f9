"""The one review-action view: POST only, the selector decides what exists, refusals become messages."""

from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory

from sujt.core.review_views import review_action_view
from sujt.core.workflow import InvalidTransition


@dataclass
class Thing:
    pk: int

    def get_absolute_url(self) -> str:
        return f"/things/{self.pk}/"


def _get(request, pk):
    if pk != 1:
        raise Http404
    return Thing(pk)


def _request(method="post"):
    request = getattr(RequestFactory(), method)("/things/1/act/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = object()
    return request


def _said(request):
    return [(message.level_tag, message.message) for message in get_messages(request)]


def test_a_successful_action_says_so_and_returns_to_the_object():
    done = []
    view = review_action_view(
        get_object=_get, act=lambda obj, by: done.append(obj.pk), success_message="已撤回。"
    )
    request = _request()
    response = view(request, pk=1)
    assert done == [1]
    assert (response.status_code, response["Location"]) == (302, "/things/1/")
    assert _said(request) == [("success", "已撤回。")]


@pytest.mark.parametrize(
    ("refusal", "text"),
    [
        (
            InvalidTransition("该事项当前状态为「已通过」，不能撤回。"),
            "该事项当前状态为「已通过」，不能撤回。",
        ),
        (
            ValidationError({"body": ["正文不能为空。"], "title": ["标题太长。"]}),
            "正文不能为空。；标题太长。",
        ),
    ],
)
def test_a_refused_action_becomes_an_error_message(refusal, text):
    def act(obj, by):
        raise refusal

    view = review_action_view(get_object=_get, act=act, success_message="不会出现")
    request = _request()
    response = view(request, pk=1)
    assert response["Location"] == "/things/1/"
    assert _said(request) == [("error", text)]


def test_the_selector_decides_what_exists_and_get_is_refused():
    view = review_action_view(
        get_object=_get,
        act=lambda obj, by: None,
        success_message=lambda obj: f"{obj.pk}",
        redirect_to=lambda o: "/x/",
    )
    with pytest.raises(Http404):
        view(_request(), pk=2)
    assert view(_request("get"), pk=1).status_code == 405
    request = _request()
    assert view(request, pk=1)["Location"] == "/x/"
    assert _said(request) == [("success", "1")]
