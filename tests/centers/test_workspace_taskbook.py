"""任务书 and 任务书变更申请 in the workspace: who reaches each page, the first task book from draft to
submission through the forms, a change prefilled from the current version and approved into the next
while the earlier version stays readable, and refusals that keep what was typed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from centers import services
from centers.choices import CenterStatus, TaskBookKind
from centers.models import TaskBook
from sujt.core.choices import ReviewStatus
from sujt.core.workflow import Side, transition
from tests.centers.factories import building_center, change_submitted, task_book_approved

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def enabled(institution, other_institution):
    # Both enabled: another institution's admin then reaches the module, and only the selectors stop them.
    for each in (institution, other_institution):
        each.centers_enabled = True
        each.save()
    return institution


@pytest.fixture
def center(enabled, inst_admin, city_regulator, province_regulator):
    """筹建中, no task book yet."""
    return building_center(enabled, inst_admin, city_regulator, province_regulator)


@pytest.fixture
def planned(enabled, inst_admin, city_regulator, province_regulator):
    """Another center of the institution, 筹建中 with task book v1 approved."""
    center = building_center(
        enabled, inst_admin, city_regulator, province_regulator, name="江苏省计量测试中心"
    )
    task_book_approved(center, inst_admin, city_regulator)
    return center


def table(rows, prefix="indicators", **extra):
    """A formset POST: management data, then each row's fields (a row given as {} is sent blank)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": str(services.MAX_ROWS),
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = "" if value is None else str(value)
    data.update(extra)
    return data


def due(center, days_before=30):
    return (center.construction_due_on - datetime.timedelta(days=days_before)).isoformat()


def current_rows(center):
    return [
        {
            "number": i.number,
            "name": i.name,
            "target_value": i.target_value,
            "unit": i.unit,
            "due_on": i.due_on,
        }
        for i in center.task_book.indicators.all()
    ]


# --- Who reaches each page --------------------------------


@pytest.fixture
def pages(center, planned, inst_admin):
    """Each view of the module with a URL it may be asked, and the method."""
    draft = services.taskbook_save(
        center=planned,
        by=inst_admin,
        kind=TaskBookKind.CHANGE,
        indicators=current_rows(planned),
        reason="调整目标。",
    )
    return {
        "taskbook_create": ("get", reverse("centers:taskbook_create", args=[center.pk])),
        "taskbook_change": ("get", reverse("centers:taskbook_change", args=[center.pk])),
        "taskbook_detail": ("get", reverse("centers:taskbook_detail", args=[draft.pk])),
        "taskbook_edit": ("get", reverse("centers:taskbook_edit", args=[draft.pk])),
        "taskbook_submit": ("post", reverse("centers:taskbook_submit", args=[draft.pk])),
        "taskbook_withdraw": ("post", reverse("centers:taskbook_withdraw", args=[draft.pk])),
    }


OWN = {  # what the institution's own admin gets (a start refused or an action done redirects)
    "taskbook_create": 200,
    "taskbook_change": 302,  # no approved task book on `center` yet
    "taskbook_detail": 200,
    "taskbook_edit": 200,
    "taskbook_submit": 302,
    "taskbook_withdraw": 302,
}


@pytest.mark.parametrize("name", list(OWN))
@pytest.mark.parametrize("who", ["anonymous", "inst_staff", "other_inst_admin", "inst_admin"])
def test_each_page_is_for_the_institutions_members_with_the_permission(client_for, pages, name, who):
    method, url = pages[name]
    response = getattr(client_for(who), method)(url)
    expected = {"anonymous": 302, "inst_staff": 403, "other_inst_admin": 404, "inst_admin": OWN[name]}[who]
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", list(OWN))
def test_an_institution_no_longer_enabled_has_none_of_the_pages(client_for, pages, institution, name):
    institution.centers_enabled = False
    institution.save()
    method, url = pages[name]
    assert getattr(client_for("inst_admin"), method)(url).status_code == 404


def test_nothing_changes_when_another_institution_posts(client_for, pages):
    client_for("other_inst_admin").post(pages["taskbook_submit"][1])
    assert TaskBook.objects.get(kind=TaskBookKind.CHANGE).status == ReviewStatus.DRAFT


# --- The first task book ----------------------------------


def test_the_first_task_book_is_drafted_edited_and_submitted_through_the_pages(client_for, center):
    client = client_for("inst_admin")
    form = client.get(reverse("centers:taskbook_create", args=[center.pk])).content.decode()
    assert "保存草稿" in form and "提交审核" in form and 'name="indicators-0-name"' in form
    rows = [
        {"name": "新增检测参数", "target_value": "120", "unit": "项", "due_on": due(center)},
        {"name": "仪器设备投入", "target_value": "800.5", "unit": "万元", "due_on": due(center, 10)},
        {},
    ]
    response = client.post(reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="save"))
    task_book = TaskBook.objects.get()
    assert response.status_code == 302 and response["Location"] == task_book.get_absolute_url()
    assert task_book.status == ReviewStatus.DRAFT and task_book.kind == TaskBookKind.INITIAL
    assert [(i.number, i.name) for i in task_book.indicators.all()] == [
        (1, "新增检测参数"),
        (2, "仪器设备投入"),
    ]

    page = client.get(task_book.get_absolute_url()).content.decode()
    assert "草稿" in page and "800.5" in page
    for name in ("taskbook_edit", "taskbook_submit", "taskbook_withdraw"):
        assert reverse(f"centers:{name}", args=[task_book.pk]) in page

    edit = client.get(reverse("centers:taskbook_edit", args=[task_book.pk])).content.decode()
    assert 'value="新增检测参数"' in edit and 'value="800.50"' in edit
    rows[0]["target_value"] = "150"
    rows[1] = {}  # clearing a row deletes it
    response = client.post(reverse("centers:taskbook_edit", args=[task_book.pk]), table(rows, action="save"))
    assert response.status_code == 302
    assert [(i.name, i.target_value) for i in task_book.indicators.all()] == [("新增检测参数", 150)]

    response = client.post(reverse("centers:taskbook_submit", args=[task_book.pk]), follow=True)
    task_book.refresh_from_db()
    assert task_book.status == ReviewStatus.SUBMITTED
    page = response.content.decode()
    assert "已提交，等待监管部门审核" in page and 'data-status="submitted">待审核<' in page
    assert reverse("centers:taskbook_edit", args=[task_book.pk]) not in page
    assert reverse("centers:taskbook_withdraw", args=[task_book.pk]) in page  # 撤回 before the review


def test_submitting_from_the_form_hands_it_in_at_once(client_for, center):
    rows = [{"name": "新增检测参数", "target_value": "120", "unit": "项", "due_on": due(center)}]
    client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="submit")
    )
    assert TaskBook.objects.get().status == ReviewStatus.SUBMITTED


def test_bad_rows_come_back_in_chinese_with_what_was_typed_and_nothing_is_saved(client_for, center):
    rows = [
        {"name": "新增检测参数", "target_value": "很多", "unit": "项", "due_on": due(center)},
        {"name": "人员", "target_value": "12", "unit": "", "due_on": "2026/13/01"},
    ]
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="save")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写数字。" in html and "请填写单位。" in html and "请按 2026-03-15 的格式填写日期。" in html
    assert 'value="新增检测参数"' in html and 'value="很多"' in html and 'value="人员"' in html
    assert not TaskBook.objects.exists()


def test_submitting_an_empty_table_is_refused_beside_the_table(client_for, center):
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]), table([{}, {}], action="submit")
    )
    assert response.status_code == 400 and "请至少填写一项任务书指标。" in response.content.decode()
    assert not TaskBook.objects.exists()


def test_more_rows_than_allowed_are_refused(client_for, center):
    row = {"name": "指标", "target_value": "1", "unit": "项", "due_on": due(center)}
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]),
        table([row] * (services.MAX_ROWS + 1), action="save"),
    )
    assert (
        response.status_code == 400
        and f"任务书指标最多 {services.MAX_ROWS} 行。" in response.content.decode()
    )
    assert not TaskBook.objects.exists()


def test_adding_rows_keeps_what_was_typed_and_saves_nothing(client_for, center):
    rows = [
        {"name": "新增检测参数", "target_value": "12", "unit": "", "due_on": ""},  # half filled: no error yet
        {},
        {"name": "人员", "target_value": "很多", "unit": "人", "due_on": due(center)},
    ]
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="add_rows")
    )
    html = response.content.decode()
    assert response.status_code == 200 and "已增加空行" in html and "错误：" not in html
    assert 'value="新增检测参数"' in html and 'value="很多"' in html
    # The blank row is dropped; two typed rows, then three blank ones.
    assert 'name="indicators-TOTAL_FORMS" value="5"' in html
    assert 'name="indicators-1-name" value="人员"' in html and 'name="indicators-2-name"' in html
    assert not TaskBook.objects.exists()


def test_enter_in_a_cell_never_submits_for_review(client_for, center):
    # The browser's default button is the form's first: 增加空行, then 保存草稿, before 提交审核.
    html = client_for("inst_admin").get(reverse("centers:taskbook_create", args=[center.pk])).content.decode()
    buttons = [html.index(f'value="{action}"') for action in ("add_rows", "save", "submit")]
    assert buttons == sorted(buttons)


def test_a_second_task_book_is_refused_with_the_reason(client_for, center, inst_admin):
    rows = [{"name": "新增检测参数", "target_value": "120", "unit": "项", "due_on": due(center)}]
    client = client_for("inst_admin")
    client.post(reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="submit"))
    response = client.get(reverse("centers:taskbook_create", args=[center.pk]), follow=True)
    assert response.redirect_chain[-1][0] == center.get_absolute_url()
    assert "任务书已在填报或审核中，请在原任务书上继续。" in response.content.decode()
    # Posting anyway changes nothing either.
    client.post(reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="submit"))
    assert TaskBook.objects.count() == 1


def test_a_submitted_task_book_cannot_be_edited_or_submitted_again(client_for, center, inst_admin):
    rows = [{"name": "新增检测参数", "target_value": "120", "unit": "项", "due_on": due(center)}]
    client = client_for("inst_admin")
    client.post(reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="submit"))
    task_book = TaskBook.objects.get()
    response = client.get(reverse("centers:taskbook_edit", args=[task_book.pk]), follow=True)
    assert response.redirect_chain[-1][0] == task_book.get_absolute_url()
    assert "不能修改" in response.content.decode()
    response = client.post(reverse("centers:taskbook_submit", args=[task_book.pk]))
    assert response.status_code == 302 and response["Location"] == task_book.get_absolute_url()
    task_book.refresh_from_db()
    assert task_book.status == ReviewStatus.SUBMITTED


def test_a_returned_task_book_shows_the_comment_and_is_resubmitted(
    client_for, center, inst_admin, city_regulator
):
    rows = [{"name": "新增检测参数", "target_value": "120", "unit": "项", "due_on": due(center)}]
    task_book = services.taskbook_save(
        center=center,
        by=inst_admin,
        indicators=[
            {**rows[0], "target_value": 120, "due_on": datetime.date.fromisoformat(rows[0]["due_on"])}
        ],
        submit=True,
    )
    transition(
        obj=task_book, name="return", by=city_regulator, side=Side.CITY, comment="目标值偏低，请调整。"
    )
    client = client_for("inst_admin")
    assert "目标值偏低，请调整。" in client.get(task_book.get_absolute_url()).content.decode()
    form = client.get(reverse("centers:taskbook_edit", args=[task_book.pk])).content.decode()
    assert "目标值偏低，请调整。" in form and "重新提交审核" in form
    rows[0]["target_value"] = "200"
    client.post(reverse("centers:taskbook_edit", args=[task_book.pk]), table(rows, action="submit"))
    task_book.refresh_from_db()
    assert task_book.status == ReviewStatus.SUBMITTED and task_book.indicators.get().target_value == 200


def test_withdrawing_a_draft_frees_the_center_for_a_new_one(client_for, center, inst_admin):
    rows = [{"name": "新增检测参数", "target_value": "120", "unit": "项", "due_on": due(center)}]
    client = client_for("inst_admin")
    client.post(reverse("centers:taskbook_create", args=[center.pk]), table(rows, action="save"))
    task_book = TaskBook.objects.get()
    response = client.post(reverse("centers:taskbook_withdraw", args=[task_book.pk]), follow=True)
    task_book.refresh_from_db()
    assert task_book.status == ReviewStatus.WITHDRAWN and "已撤回。" in response.content.decode()
    assert client.get(reverse("centers:taskbook_create", args=[center.pk])).status_code == 200


# --- 任务书变更申请 ----------------------------------------------


def test_a_change_before_any_approved_task_book_redirects_with_the_reason(client_for, center):
    response = client_for("inst_admin").get(reverse("centers:taskbook_change", args=[center.pk]), follow=True)
    assert response.redirect_chain[-1][0] == center.get_absolute_url()
    assert "任务书审核通过后才能申请变更。" in response.content.decode()


def test_a_center_no_longer_building_cannot_start_a_change(client_for, planned):
    planned.status = CenterStatus.RUNNING
    planned.save(update_fields=["status"])
    response = client_for("inst_admin").get(
        reverse("centers:taskbook_change", args=[planned.pk]), follow=True
    )
    assert "只有筹建中的中心可以填报任务书或申请变更" in response.content.decode()
    assert not TaskBook.objects.filter(kind=TaskBookKind.CHANGE).exists()


def test_a_change_is_prefilled_from_v1_approved_into_v2_and_v1_stays_readable(
    client_for, planned, city_regulator
):
    client = client_for("inst_admin")
    v1 = planned.task_book
    first, second = v1.indicators.all()
    form = client.get(reverse("centers:taskbook_change", args=[planned.pk])).content.decode()
    assert 'name="reason"' in form and 'name="construction_due_on"' in form
    assert 'name="indicators-0-number" value="1"' in form and 'value="新增检测能力"' in form
    assert 'name="indicators-1-number" value="2"' in form and 'value="仪器设备投入"' in form

    new_deadline = planned.construction_due_on + datetime.timedelta(days=90)
    rows = [
        {**current_rows(planned)[0], "target_value": "150"},  # changed target
        {},  # 仪器设备投入 removed
        {"name": "新增授权签字人", "target_value": "4", "unit": "人", "due_on": due(planned)},  # added
    ]
    response = client.post(
        reverse("centers:taskbook_change", args=[planned.pk]),
        table(
            rows,
            reason="新增食品接触材料项目，调整检测能力目标。",
            construction_due_on=new_deadline.isoformat(),
            action="submit",
        ),
    )
    change = TaskBook.objects.get(kind=TaskBookKind.CHANGE)
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert change.status == ReviewStatus.SUBMITTED and change.based_on == v1
    assert [(i.number, i.name) for i in change.indicators.all()] == [
        (1, "新增检测能力"),
        (3, "新增授权签字人"),
    ]

    page = client.get(change.get_absolute_url()).content.decode()
    assert "与第 1 版比较" in page and "新增食品接触材料项目" in page
    assert new_deadline.strftime("%Y") in page
    # Each change is said in words, the changed pieces struck through and underlined (not colour alone).
    assert "修改</strong>（目标值）" in page and "删除" in page and "新增" in page
    assert "<del>120 项</del>" in page and "<ins>150 项</ins>" in page
    assert '<td data-label="变更后"><span>新增授权签字人，4 人，' in page

    services.taskbook_approve(task_book=change, by=city_regulator, side=Side.CITY)
    planned.refresh_from_db()
    change.refresh_from_db()
    assert change.version == 2 and planned.task_book == change
    assert planned.construction_due_on == new_deadline

    v1_page = client.get(v1.get_absolute_url())
    html = v1_page.content.decode()
    assert v1_page.status_code == 200
    assert "第 1 版" in html and "仪器设备投入" in html and "1200" in html  # v1 as it was
    assert change.get_absolute_url() in html  # a link to the other version
    v2_html = client.get(change.get_absolute_url()).content.decode()
    assert "第 2 版" in v2_html and "现行" in v2_html and v1.get_absolute_url() in v2_html
    # The next change starts from v2.
    form = client.get(reverse("centers:taskbook_change", args=[planned.pk])).content.decode()
    assert 'value="新增授权签字人"' in form and 'value="仪器设备投入"' not in form
    # v1's rows are untouched by the change.
    assert list(v1.indicators.values_list("pk", "target_value")) == [(first.pk, 120), (second.pk, 1200)]


def test_a_change_without_a_reason_keeps_the_table_and_saves_nothing(client_for, planned):
    rows = [{**row, "target_value": "999"} for row in current_rows(planned)]
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_change", args=[planned.pk]), table(rows, reason="  ", action="submit")
    )
    html = response.content.decode()
    assert response.status_code == 400 and "请填写变更理由。" in html and 'value="999"' in html
    assert not TaskBook.objects.filter(kind=TaskBookKind.CHANGE).exists()


def test_a_change_that_changes_nothing_is_refused(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_change", args=[planned.pk]),
        table(current_rows(planned), reason="无变化。", action="submit"),
    )
    assert response.status_code == 400 and "变更内容与现行任务书相同" in response.content.decode()
    assert not TaskBook.objects.filter(kind=TaskBookKind.CHANGE).exists()


def test_a_past_deadline_in_a_change_is_refused_on_its_field(client_for, planned):
    response = client_for("inst_admin").post(
        reverse("centers:taskbook_change", args=[planned.pk]),
        table(current_rows(planned), reason="延期。", construction_due_on=TODAY.isoformat(), action="save"),
    )
    assert response.status_code == 400 and "变更后的筹建及验收期限应晚于今天。" in response.content.decode()
    assert not TaskBook.objects.filter(kind=TaskBookKind.CHANGE).exists()


def test_a_second_change_while_one_is_under_review_is_refused(client_for, planned, inst_admin):
    change = change_submitted(planned, inst_admin)
    response = client_for("inst_admin").get(
        reverse("centers:taskbook_change", args=[planned.pk]), follow=True
    )
    assert "已有任务书变更申请在填报或审核中" in response.content.decode()
    assert TaskBook.objects.filter(kind=TaskBookKind.CHANGE).get() == change
