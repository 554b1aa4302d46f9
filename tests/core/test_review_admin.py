"""ReviewAdminMixin through Django admin, on the test app's Submission (tests/core/workflow_app/admin.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from sujt.core.choices import ReviewStatus as S
from sujt.core.models import ReviewTransition
from sujt.core.workflow import review_return, review_submit, transitions_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:workflow_app_submission_changelist"


@pytest.fixture
def reviewer(city_regulator):
    """The Nanjing regulator, allowed to view and change submissions."""
    city_regulator.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="workflow_app", codename__in=["view_submission", "change_submission"]
        )
    )
    return city_regulator


@pytest.fixture
def other_reviewer(other_city_regulator):
    other_city_regulator.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="workflow_app", codename__in=["view_submission", "change_submission"]
        )
    )
    return other_city_regulator


@pytest.fixture
def admin_client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def act(client, action, objs, **extra):
    data = {"action": action, "_selected_action": [obj.pk for obj in objs], **extra}
    return client.post(reverse(CHANGELIST), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_changelist_has_the_status_filter_and_the_review_actions(admin_client_as, reviewer, make_submission):
    make_submission(status=S.SUBMITTED)
    response = admin_client_as(reviewer).get(reverse(CHANGELIST), {"status__exact": S.SUBMITTED})
    assert response.status_code == 200
    assert "status" in response.context["cl"].list_filter
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert actions["review_approve_selected"] == "审核通过所选项"
    assert "review_return_selected" in actions and "review_reject_selected" in actions


def test_approve_goes_through_a_confirmation_page(admin_client_as, reviewer, make_submission):
    submission = make_submission(status=S.SUBMITTED)
    client = admin_client_as(reviewer)

    page = act(client, "review_approve_selected", [submission])
    assert page.status_code == 200
    assert page.templates[0].name == "core/admin/review_confirm.html"
    content = page.content.decode()
    assert "确认审核通过" in content and "2026年度信用承诺书" in content
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED  # nothing happens before the confirmation

    done = act(client, "review_approve_selected", [submission], review_confirm="yes", comment="同意")
    assert done.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.status_changed_by, submission.review_comment) == (
        S.APPROVED,
        reviewer,
        "同意",
    )
    assert messages_of(done) == ["已审核通过 1 项。"]


@pytest.mark.parametrize(
    ("action", "target"), [("review_return_selected", S.RETURNED), ("review_reject_selected", S.REJECTED)]
)
def test_return_and_reject_require_a_comment(admin_client_as, reviewer, make_submission, action, target):
    submission = make_submission(status=S.SUBMITTED)
    client = admin_client_as(reviewer)

    missing = act(client, action, [submission], review_confirm="yes", comment="  ")
    assert missing.status_code == 200
    assert "请填写审核意见，说明退回或不予通过的原因。" in missing.content.decode()
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED

    act(client, action, [submission], review_confirm="yes", comment="缺少法定代表人签字页")
    submission.refresh_from_db()
    assert submission.status == target
    assert transitions_of(submission).get().comment == "缺少法定代表人签字页"


def test_an_item_not_awaiting_review_gets_a_chinese_error(admin_client_as, reviewer, make_submission):
    pending = make_submission(status=S.SUBMITTED, title="待审的")
    decided = make_submission(status=S.APPROVED, title="已审的")
    response = act(
        admin_client_as(reviewer),
        "review_reject_selected",
        [pending, decided],
        review_confirm="yes",
        comment="不符合要求",
    )

    assert response.status_code == 302
    assert messages_of(response) == [
        "已不予通过 1 项。",
        "「已审的」：该事项当前状态为「已通过」，不能不予通过。可能已被他人处理，请刷新后重试。",
    ]
    decided.refresh_from_db()
    assert decided.status == S.APPROVED


def test_a_regulator_cannot_review_outside_their_region(admin_client_as, other_reviewer, make_submission):
    submission = make_submission(status=S.SUBMITTED)  # a Nanjing institution; the reviewer is Suzhou's
    client = admin_client_as(other_reviewer)
    assert client.get(reverse(CHANGELIST)).context["cl"].result_count == 0

    act(client, "review_approve_selected", [submission], review_confirm="yes")
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED
    assert not ReviewTransition.objects.exists()


def test_review_actions_need_the_change_permission(admin_client_as, city_regulator, make_submission):
    city_regulator.user_permissions.add(
        Permission.objects.get(content_type__app_label="workflow_app", codename="view_submission")
    )
    submission = make_submission(status=S.SUBMITTED)
    client = admin_client_as(city_regulator)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.context["action_form"] is None  # a viewer has no actions at all

    act(client, "review_approve_selected", [submission], review_confirm="yes")
    submission.refresh_from_db()
    assert submission.status == S.SUBMITTED


def test_change_page_shows_the_transition_log_read_only(admin_client_as, reviewer, draft, inst_admin):
    review_submit(obj=draft, by=inst_admin)
    review_return(obj=draft, by=reviewer, comment="请补充<盖章页>")
    response = admin_client_as(reviewer).get(reverse("admin:workflow_app_submission_change", args=[draft.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "审核记录" in content and "审核信息" in content
    assert "草稿 → 待审核" in content and "待审核 → 已退回" in content
    assert "请补充&lt;盖章页&gt;" in content  # escaped, never rendered as markup
    form = response.context["adminform"].form
    assert "status" not in form.fields and "review_comment" not in form.fields
    assert "title" in form.fields


def test_saving_the_change_form_does_not_touch_the_status(admin_client_as, reviewer, make_submission):
    submission = make_submission(status=S.SUBMITTED)
    url = reverse("admin:workflow_app_submission_change", args=[submission.pk])
    response = admin_client_as(reviewer).post(
        url,
        {"title": "改过的标题", "note": "", "institution": submission.institution_id, "status": S.APPROVED},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.title, submission.status) == ("改过的标题", S.SUBMITTED)
