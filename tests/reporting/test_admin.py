"""07/08 运营数据填报 for regulators in admin: templates with their fields (checked, copied, the built-in
ones kept), tasks created with their targets' filters, previewed, published through a confirmation page
and read-only afterwards, followed by city within the jurisdiction, exported and reminded; the
assignments listed (pending ones too), filtered, decided, reminded and excused; center tasks; query
counts that do not grow with rows."""

import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from centers.choices import CenterStatus
from centers.models import Center
from reporting import services
from reporting.choices import AssignmentStatus, TargetKind, TaskStatus
from reporting.models import ReportAssignment, ReportTask, ReportTemplate
from sujt.accounts.choices import MembershipRole
from sujt.core.models import Notification
from sujt.core.workflow import InvalidTransition
from tests.centers.factories import building_center
from tests.factories import CertificateFactory, InstitutionFactory, MembershipFactory, make_uscc
from tests.reporting.factories import (
    INSTITUTION_ANSWERS,
    assignment_of,
    builtin,
    task_draft,
    task_published,
)

pytestmark = pytest.mark.django_db

S = AssignmentStatus
TODAY = timezone.localdate()
DUE = (TODAY + datetime.timedelta(days=30)).isoformat()
TEMPLATES = reverse("admin:reporting_reporttemplate_changelist")
TEMPLATE_ADD = reverse("admin:reporting_reporttemplate_add")
TASKS = reverse("admin:reporting_reporttask_changelist")
TASK_ADD = reverse("admin:reporting_reporttask_add")
ASSIGNMENTS = reverse("admin:reporting_reportassignment_changelist")


def task_url(task, name: str = "change") -> str:
    return reverse(f"admin:reporting_reporttask_{name}", args=[task.pk])


def assignment_url(assignment) -> str:
    return reverse("admin:reporting_reportassignment_change", args=[assignment.pk])


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def sheet(response) -> list[tuple]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


def preview_of(page: str) -> str:
    """The text of the 符合条件的对象 line of a draft's change page."""
    found = re.search(r'<div class="readonly">((?:共|没有符合)[^<]*)</div>', page)
    return found.group(1) if found else ""


def member_of(institution, name: str = "填报员"):
    """An admin of `institution` (an admin holds every module permission, fill_reports too)."""
    return MembershipFactory(institution=institution, role=MembershipRole.ADMIN, user__name=name).user


def submitted(task, institution, by, **changes):
    assignment = assignment_of(task, institution)
    services.assignment_save(
        assignment=assignment, by=by, values={**INSTITUTION_ANSWERS, **changes}, submit=True
    )
    assignment.refresh_from_db()
    return assignment


# --- Templates ----------------------------------------------------------------------------------------


def field_row(n: int, **values) -> dict:
    row = {
        "position": str((n + 1) * 10),
        "group": "",
        "key": f"field_{n}",
        "label": f"字段{n}",
        "field_type": "integer",
        "unit": "",
        "required": "on",
        "min_value": "",
        "max_value": "",
        "options": "",
        "help_text": "",
        **values,
    }
    return {f"fields-{n}-{name}": value for name, value in row.items()}


def template_data(*rows: dict, **extra) -> dict:
    data = {
        "name": "检测机构季度数据",
        "target_kind": "institution",
        "description": "",
        "active": "on",
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for row in rows:
        data.update(row)
    return data


def test_a_template_is_added_with_its_fields(client_for):
    data = template_data(
        field_row(0, key="revenue", label="营业收入", field_type="money", min_value="0"),
        field_row(1, key="level", label="机构规模", field_type="single", options="大型\n中型\n小型"),
    )
    response = client_for("city_regulator").post(TEMPLATE_ADD, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    template = ReportTemplate.objects.get(name="检测机构季度数据")
    assert not template.builtin
    assert [(f["key"], f["type"]) for f in template.schema()] == [("revenue", "money"), ("level", "single")]
    assert template.schema()[1]["options"] == ["大型", "中型", "小型"]


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([field_row(0, key="same"), field_row(1, key="same")], "重复"),
        ([field_row(0, field_type="single")], "单选、多选题至少需要两个选项，每行一个。"),
        ([field_row(0, field_type="multiple", options="甲\n甲")], "选项不能重复。"),
        ([field_row(0, min_value="10", max_value="5")], "最大值不能小于最小值。"),
        ([field_row(0, field_type="text", min_value="1")], "只有数值类字段可以设置最小值和最大值。"),
        ([field_row(0, key="Revenue")], "以小写字母开头，只含小写字母、数字和下划线"),
        ([], "模板至少需要一个字段。"),
    ],
    ids=[
        "duplicate-key",
        "choice-without-options",
        "repeated-options",
        "min-over-max",
        "range-on-text",
        "bad-key",
        "no-field",
    ],
)
def test_a_template_with_faulty_fields_is_refused_with_the_reason(client_for, rows, error):
    response = client_for("city_regulator").post(TEMPLATE_ADD, template_data(*rows))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ReportTemplate.objects.filter(name="检测机构季度数据").exists()


def test_repeated_keys_are_named_in_the_templates_own_words(client_for):
    data = template_data(field_row(0, key="same"), field_row(1, key="same"))
    page = client_for("city_regulator").post(TEMPLATE_ADD, data).content.decode()
    assert "字段标识不能重复：same" in page
    assert "请修改key的重复数据" not in page


def test_a_builtin_template_or_one_a_task_used_cannot_be_deleted(client_for, city_regulator):
    client = client_for("superuser")
    spare = ReportTemplate.objects.create(name="临时模板")
    assert client.get(reverse("admin:reporting_reporttemplate_delete", args=[spare.pk])).status_code == 200
    for template in (builtin(TargetKind.INSTITUTION), builtin(TargetKind.CENTER)):
        url = reverse("admin:reporting_reporttemplate_delete", args=[template.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
    used = ReportTemplate.objects.create(name="用过的模板")
    used.fields.create(key="staff", label="人数", field_type="integer")
    task_draft(city_regulator, template=used)
    assert client.get(reverse("admin:reporting_reporttemplate_delete", args=[used.pk])).status_code == 403
    assert ReportTemplate.objects.filter(pk__in=[used.pk, builtin().pk]).count() == 2


def test_regulators_may_not_delete_templates_at_all(client_for):
    template = ReportTemplate.objects.create(name="临时模板")
    url = reverse("admin:reporting_reporttemplate_delete", args=[template.pk])
    assert client_for("city_regulator").get(url).status_code == 403


def test_the_copy_action_copies_a_template_with_its_fields(client_for):
    original = builtin()
    client = client_for("city_regulator")
    action = {"action": "copy_selected", "_selected_action": [original.pk]}
    response = client.post(TEMPLATES, action)
    assert response.status_code == 302
    assert any("已复制 1 个模板" in text for text in texts(response))
    copy = ReportTemplate.objects.get(name="检验检测机构年度运营情况（副本）")
    assert not copy.builtin and copy.target_kind == original.target_kind
    assert copy.schema() == original.schema()
    assert original.fields.count() == 15  # the original keeps its own fields
    client.post(TEMPLATES, action)
    assert ReportTemplate.objects.filter(name="检验检测机构年度运营情况（副本2）").exists()


# --- Tasks: creating -----------------------------------------------------------------------------------


def task_data(template=None, **extra) -> dict:
    template = template or builtin()
    return {
        "template": template.pk,
        "period_label": "2026年度",
        "title": "",
        "due_on": DUE,
        "target_kind": template.target_kind,
        "instructions": "",
        **extra,
    }


def test_a_city_regulator_creates_a_task_for_listed_institutions(client_for, institution):
    second = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    listed = f"{institution.uscc}\n{second.uscc.lower()}，{institution.uscc}"
    response = client_for("city_regulator").post(TASK_ADD, task_data(usccs=listed))
    assert response.status_code == 302, response.content.decode()[:3000]
    task = ReportTask.objects.get()
    assert (task.status, task.region_code, task.title) == (
        TaskStatus.DRAFT,
        "320100",
        "2026年度检验检测机构年度运营情况",
    )
    assert task.criteria == {"usccs": [institution.uscc, second.uscc]}
    assert not task.assignments.exists()  # nothing reaches anyone before 发布


@pytest.mark.parametrize(
    ("codes", "error"),
    [
        (lambda inst, other: [make_uscc("320100")], "发布范围内没有以下正常经营的机构"),
        (lambda inst, other: [inst.uscc, other.uscc], "发布范围内没有以下正常经营的机构"),
        (
            lambda inst, other: [inst.uscc, "91320100ABCDEFGH1X"],
            "以下统一社会信用代码格式有误：91320100ABCDEFGH1X",
        ),
        (lambda inst, other: [inst.uscc[:-1] + ("0" if inst.uscc[-1] != "0" else "1")], "格式有误"),
    ],
    ids=["unknown", "another-city", "malformed", "bad-check-digit"],
)
def test_listed_codes_must_name_institutions_in_business_within_the_jurisdiction(
    client_for, institution, other_institution, codes, error
):
    listed = codes(institution, other_institution)
    response = client_for("city_regulator").post(TASK_ADD, task_data(usccs="\n".join(listed)))
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert institution.uscc not in page.split(error)[1][:40]  # the known code is not blamed
    assert not ReportTask.objects.exists()


def test_a_suspended_institution_is_not_a_target(client_for, institution):
    institution.status = "suspended"
    institution.save()
    response = client_for("city_regulator").post(TASK_ADD, task_data(usccs=institution.uscc))
    assert "发布范围内没有以下正常经营的机构" in response.content.decode()


def test_a_task_by_filters_records_them_and_previews_its_targets(client_for, institution):
    match = InstitutionFactory(
        name="玄武水质检测有限公司", region_code="320102", legal_person_type="enterprise"
    )
    match.fields.create(code="13")
    CertificateFactory(institution=match)
    wrong_field = InstitutionFactory(name="鼓楼食品检测有限公司", legal_person_type="enterprise")
    wrong_field.fields.create(code="00")
    wrong_type = InstitutionFactory(name="建邺水质监测站", legal_person_type="public")
    wrong_type.fields.create(code="13")
    uncertified = InstitutionFactory(name="江宁水质检测有限公司", legal_person_type="enterprise")
    uncertified.fields.create(code="13")
    suzhou = InstitutionFactory(
        name="苏州水质检测有限公司", region_code="320505", legal_person_type="enterprise"
    )
    suzhou.fields.create(code="13")
    CertificateFactory(institution=suzhou)
    client = client_for("city_regulator")
    data = task_data(
        cities=["320100"], testing_fields=["13"], legal_person_types=["enterprise"], credit_scope="in"
    )
    response = client.post(TASK_ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    task = ReportTask.objects.get()
    assert task.criteria == {
        "cities": ["320100"],
        "fields": ["13"],
        "legal_person_types": ["enterprise"],
        "credit_scope": "in",
    }
    assert preview_of(client.get(task_url(task)).content.decode()) == "共 1 个：玄武水质检测有限公司"
    # 未纳入信用评价 is the complement within the other filters.
    response = client.post(task_url(task), {**data, "credit_scope": "out"})
    assert response.status_code == 302
    assert preview_of(client.get(task_url(task)).content.decode()) == "共 1 个：江宁水质检测有限公司"


def test_the_preview_counts_beyond_the_names_it_shows(client_for, institution, city_regulator):
    for n in range(11):
        InstitutionFactory(name=f"预览检测有限公司{n:02d}", region_code="320104")
    task = task_draft(city_regulator)
    preview = preview_of(client_for("city_regulator").get(task_url(task)).content.decode())
    assert preview.startswith("共 12 个：") and preview.endswith(" 等 12 个")
    assert preview.count("、") == 9  # ten names shown
    empty = task_draft(city_regulator, criteria={"legal_person_types": ["government"]})
    page = client_for("city_regulator").get(task_url(empty)).content.decode()
    assert preview_of(page) == "没有符合条件的对象，请调整筛选条件后保存。"


def test_a_city_regulator_is_offered_and_accepts_only_their_own_city(client_for, other_institution):
    client = client_for("city_regulator")
    form = client.get(TASK_ADD).context["adminform"].form
    assert form.fields["cities"].choices == [("320100", "南京市")]
    response = client.post(TASK_ADD, task_data(cities=["320500"]))
    assert response.status_code == 200
    assert "cities" in response.context["adminform"].form.errors
    assert not ReportTask.objects.exists()


@pytest.mark.parametrize("days", [0, -1])
def test_the_due_date_must_be_after_today(client_for, institution, days):
    due = (TODAY + datetime.timedelta(days=days)).isoformat()
    response = client_for("city_regulator").post(TASK_ADD, task_data(due_on=due, usccs=institution.uscc))
    assert response.status_code == 200
    assert "截止日期须晚于今天。" in response.content.decode()
    assert not ReportTask.objects.exists()


def test_the_template_must_suit_the_target_kind(client_for, institution):
    data = task_data(builtin(TargetKind.CENTER), target_kind="institution", usccs=institution.uscc)
    response = client_for("city_regulator").post(TASK_ADD, data)
    assert response.status_code == 200
    assert "该模板适用于中心，与填报对象不一致。" in response.content.decode()
    assert not ReportTask.objects.exists()


def test_an_inactive_template_is_not_offered(client_for):
    template = builtin()
    template.active = False
    template.save()
    response = client_for("city_regulator").post(TASK_ADD, task_data(template))
    assert response.status_code == 200
    assert not ReportTask.objects.exists()


# --- Tasks: publishing ---------------------------------------------------------------------------------


def test_publishing_through_the_confirm_page_creates_assignments_and_notifies(
    client_for, institution, inst_admin, city_regulator
):
    second = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    second_member = member_of(second)
    InstitutionFactory(name="苏州不相干检测有限公司", region_code="320505")
    task = task_draft(city_regulator, criteria={"usccs": [institution.uscc, second.uscc]})
    client = client_for("city_regulator")
    assert "发布任务" in client.get(task_url(task)).content.decode()
    confirm = client.get(task_url(task, "publish"))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "将向 2 个检验检测机构发布" in page and "确认发布" in page
    assert not task.assignments.exists() and not Notification.objects.exists()  # a GET changes nothing
    response = client.post(task_url(task, "publish"))
    assert response.status_code == 302 and response["Location"] == task_url(task)
    assert any("2 个填报对象已收到待办和站内消息" in text for text in texts(response))
    task.refresh_from_db()
    assert task.status == TaskStatus.PUBLISHED and task.published_by == city_regulator
    assert [spec["key"] for spec in task.schema][:2] == ["revenue", "testing_revenue"]
    assignments = list(task.assignments.order_by("institution__name"))
    assert {(a.institution_id, a.status, a.due_on) for a in assignments} == {
        (institution.pk, S.PENDING, task.due_on),
        (second.pk, S.PENDING, task.due_on),
    }
    recipients = set(
        Notification.objects.filter(title__startswith="运营数据填报任务").values_list("recipient", flat=True)
    )
    assert recipients == {inst_admin.pk, second_member.pk}


def test_a_task_without_targets_cannot_be_published(client_for, city_regulator):
    task = task_draft(city_regulator, criteria={"legal_person_types": ["government"]})
    client = client_for("city_regulator")
    page = client.get(task_url(task, "publish")).content.decode()
    assert "将向 0 个" in page and "disabled" in page
    response = client.post(task_url(task, "publish"))
    assert any("没有符合条件的填报对象" in text for text in texts(response))
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT


def test_a_task_is_published_once(client_for, institution, inst_admin, city_regulator):
    task = task_draft(city_regulator, criteria={"usccs": [institution.uscc]})
    client = client_for("city_regulator")
    client.post(task_url(task, "publish"))
    response = client.post(task_url(task, "publish"))
    assert response.status_code == 403  # a published task is no longer the regulator's to change
    assert task.assignments.count() == 1
    assert Notification.objects.filter(title__startswith="运营数据填报任务").count() == 1
    # The service refuses too (two regulators on the same page).
    with pytest.raises(InvalidTransition):
        services.task_publish(task=task, by=city_regulator)
    assert task.assignments.count() == 1


def test_a_published_task_is_read_only(client_for, institution, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    client = client_for("city_regulator")
    page = client.get(task_url(task)).content.decode()
    assert "导出填报结果" in page and "催报未提交对象" in page and "查看填报记录" in page
    assert 'name="_save"' not in page and "发布任务</a>" not in page
    response = client.post(task_url(task), task_data(title="改过的名称", usccs=""))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.title == "2026年度检验检测机构年度运营情况"
    assert client.get(task_url(task, "publish")).status_code == 403
    # Not even a superuser deletes it; a draft may be deleted.
    superuser = client_for("superuser")
    assert superuser.get(task_url(task, "delete")).status_code == 403
    assert superuser.post(task_url(task, "delete"), {"post": "yes"}).status_code == 403
    assert ReportTask.objects.filter(pk=task.pk).exists()
    draft = task_draft(city_regulator)
    assert superuser.get(task_url(draft, "delete")).status_code == 200


def test_a_draft_is_changed_in_admin(client_for, institution, city_regulator):
    task = task_draft(city_regulator, criteria={"cities": ["320100"]})
    client = client_for("city_regulator")
    response = client.post(task_url(task), task_data(title="南京市2026年度数据", usccs=institution.uscc))
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert (task.title, task.criteria, task.region_code) == (
        "南京市2026年度数据",
        {"usccs": [institution.uscc]},
        "320100",
    )


def test_a_city_sees_its_own_and_the_provinces_tasks_only(
    client_for, institution, city_regulator, other_city_regulator, province_regulator
):
    own = task_draft(city_regulator, period="南京2026年度")
    theirs = task_draft(other_city_regulator, period="苏州2026年度")
    province = task_published(province_regulator, period="全省2026年度")
    client = client_for("city_regulator")
    listed = set(client.get(TASKS).context["cl"].result_list.values_list("pk", flat=True))
    assert listed == {own.pk, province.pk}
    assert client.get(task_url(own)).status_code == 200
    assert client.get(task_url(province)).status_code == 200
    assert client.get(task_url(theirs)).status_code == 302  # admin's "does not exist" redirect
    for name in ("publish", "export", "remind"):
        assert client.get(task_url(theirs, name)).status_code == 404
    # The province's task is followed, not managed, by the city.
    assert client.post(task_url(province, "publish")).status_code == 403
    draft = task_draft(province_regulator, period="全省草稿")
    assert client.get(task_url(draft, "publish")).status_code == 403
    assert client.post(task_url(draft, "publish")).status_code == 403
    draft.refresh_from_db()
    assert draft.status == TaskStatus.DRAFT
    # The province sees every city's tasks.
    listed = set(
        client_for("province_regulator").get(TASKS).context["cl"].result_list.values_list("pk", flat=True)
    )
    assert listed == {own.pk, theirs.pk, province.pk, draft.pk}


def completion_rows(page: str) -> dict[str, list[str]]:
    table = re.search(r'<table class="reporting-completion">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr><th scope='row'>(.*?)</th>(.*?)</tr>", table, re.S):
        rows[row[0]] = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row[1], re.S)]
    return rows


def test_the_completion_table_counts_by_city_within_the_jurisdiction(
    client_for, institution, other_institution, inst_admin, province_regulator
):
    second = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    task = task_published(
        province_regulator, criteria={"usccs": [institution.uscc, second.uscc, other_institution.uscc]}
    )
    submitted(task, institution, inst_admin)
    # 城市, 对象数, 未填报, 草稿, 逾期未报, 待审核, 已退回, 已通过, 提交率
    rows = completion_rows(client_for("province_regulator").get(task_url(task)).content.decode())
    assert rows == {
        "南京市": ["2", "1", "0", "0", "1", "0", "0", "50.0%"],
        "苏州市": ["1", "1", "0", "0", "0", "0", "0", "0.0%"],
        "合计": ["3", "2", "0", "0", "1", "0", "0", "33.3%"],
    }
    rows = completion_rows(client_for("city_regulator").get(task_url(task)).content.decode())
    assert rows == {
        "南京市": ["2", "1", "0", "0", "1", "0", "0", "50.0%"],
        "合计": ["2", "1", "0", "0", "1", "0", "0", "50.0%"],
    }
    # The list's progress column counts in the jurisdiction too.
    client = client_for("city_regulator")
    (row,) = client.get(TASKS).context["cl"].result_list
    assert (row.n_done, row.n_total) == (1, 2)
    (row,) = client_for("other_city_regulator").get(TASKS).context["cl"].result_list
    assert (row.n_done, row.n_total) == (0, 1)


# --- Export ---------------------------------------------------------------------------------------------


def test_the_export_has_the_frozen_fields_and_only_handed_in_values(
    client_for, institution, other_institution, inst_admin, province_regulator
):
    drafting = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    untouched = InstitutionFactory(name="建邺示例检测有限公司", region_code="320105")
    task = task_published(
        province_regulator,
        criteria={"usccs": [institution.uscc, drafting.uscc, untouched.uscc, other_institution.uscc]},
    )
    # The template changes after publishing: the export keeps the task's frozen fields.
    builtin().fields.filter(key="revenue").update(label="全年营业收入")
    submitted(task, institution, inst_admin)
    services.assignment_save(
        assignment=assignment_of(task, drafting), by=member_of(drafting), values=INSTITUTION_ANSWERS
    )
    services.assignment_save(
        assignment=assignment_of(task, other_institution),
        by=member_of(other_institution),
        values=INSTITUTION_ANSWERS,
        submit=True,
    )
    rows = sheet(client_for("city_regulator").get(task_url(task, "export")))
    header, lines = rows[0], rows[1:]
    for title in (
        "营业收入（万元）",
        "检验检测收入占比（%）",
        "出具检验检测报告数（份）",
        "从业人员数（人）",
        "实验室面积（㎡）",
        "是否专精特新企业",
        "主要服务领域",
    ):
        assert title in header, title
    assert "全年营业收入（万元）" not in header
    by_name = {line[header.index("机构名称")]: line for line in lines}
    assert set(by_name) == {institution.name, drafting.name, untouched.name}  # Suzhou's is not ours
    done = by_name[institution.name]
    assert done[header.index("统一社会信用代码")] == institution.uscc
    assert done[header.index("填报状态")] == "待审核"
    assert float(done[header.index("营业收入（万元）")]) == 1200.5
    assert done[header.index("出具检验检测报告数（份）")] == 5200
    assert done[header.index("是否专精特新企业")] == "是"
    assert done[header.index("主要服务领域")] == "食品、水质"
    first, last = header.index("营业收入（万元）"), header.index("变动说明")
    for name in (drafting.name, untouched.name):
        assert set(by_name[name][first : last + 1]) <= {None, ""}, name
    assert by_name[drafting.name][header.index("填报状态")] == "草稿"
    # The province reads every city's rows.
    rows = sheet(client_for("province_regulator").get(task_url(task, "export")))
    assert {line[0] for line in rows[1:]} == {
        institution.name,
        drafting.name,
        untouched.name,
        other_institution.name,
    }


def test_a_draft_task_has_nothing_to_export(client_for, city_regulator):
    task = task_draft(city_regulator)
    response = client_for("city_regulator").get(task_url(task, "export"))
    assert response.status_code == 302
    assert any("任务尚未发布" in text for text in texts(response))


def test_a_returned_assignment_being_edited_exports_what_was_handed_in(
    client_for, institution, inst_admin, city_regulator
):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = submitted(task, institution, inst_admin)
    services.assignment_return(assignment=assignment, by=city_regulator, comment="营业收入有误。")
    services.assignment_save(
        assignment=assignment, by=inst_admin, values={**INSTITUTION_ANSWERS, "revenue": "9999"}
    )
    rows = sheet(client_for("city_regulator").get(task_url(task, "export")))
    header, line = rows[0], rows[1]
    assert line[header.index("营业收入（万元）")] != 9999  # the institution's own draft, not handed in


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_rows(client_for, city_regulator):
    """Deferring the working copy must not cost a query per row (the export reads what was handed in)."""

    def export_queries(count: int) -> int:
        hosts = [InstitutionFactory(region_code="320102") for _ in range(count)]
        task = task_published(city_regulator, criteria={"usccs": [host.uscc for host in hosts]})
        ReportAssignment.objects.filter(task=task).update(
            status=AssignmentStatus.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_values={"revenue": "10.00"},
            submitted_explanations={"revenue": "新增业务"},
        )
        client = client_for("city_regulator")
        client.get(task_url(task, "export"))  # the session and the permission caches warm up
        with CaptureQueriesContext(connection) as queries:
            rows = sheet(client.get(task_url(task, "export")))
        assert len(rows) == count + 1 and all(
            line[rows[0].index("营业收入（万元）")] == 10 for line in rows[1:]
        )
        return len(queries)

    assert export_queries(2) == export_queries(8)


# --- Remind ---------------------------------------------------------------------------------------------


def reminders() -> list[tuple[int, str]]:
    return list(Notification.objects.filter(title__startswith="催报：").values_list("recipient_id", "title"))


def test_reminding_tells_only_the_laggards_once_within_20_hours(
    client_for, institution, inst_admin, city_regulator
):
    drafting = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    pending = InstitutionFactory(name="建邺示例检测有限公司", region_code="320105")
    drafter, waiter = member_of(drafting, "填报员甲"), member_of(pending, "填报员乙")
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc, drafting.uscc, pending.uscc]})
    submitted(task, institution, inst_admin)
    services.assignment_save(assignment=assignment_of(task, drafting), by=drafter, values={"revenue": "1"})
    client = client_for("city_regulator")
    confirm = client.get(task_url(task, "remind"))
    assert confirm.status_code == 200
    assert "尚未提交的对象共 2 个" in confirm.content.decode()
    assert not reminders()
    response = client.post(task_url(task, "remind"))
    assert response.status_code == 302
    assert any("已向 2 个未提交的对象发送催报" in text for text in texts(response))
    assert {recipient for recipient, _ in reminders()} == {drafter.pk, waiter.pk}
    assert inst_admin.pk not in {recipient for recipient, _ in reminders()}
    assert assignment_of(task, institution).reminded_at is None
    # Again at once: everybody was reminded within 20 hours.
    response = client.post(task_url(task, "remind"))
    assert any("已向 0 个" in text and "2 个" in text for text in texts(response))
    assert len(reminders()) == 2
    # 19 hours later still skipped; 21 hours later reminded again.
    ReportAssignment.objects.filter(institution=drafting).update(
        reminded_at=timezone.now() - datetime.timedelta(hours=19)
    )
    ReportAssignment.objects.filter(institution=pending).update(
        reminded_at=timezone.now() - datetime.timedelta(hours=21)
    )
    response = client.post(task_url(task, "remind"))
    assert any("已向 1 个" in text for text in texts(response))
    assert [r for r, _ in reminders()].count(waiter.pk) == 2
    assert [r for r, _ in reminders()].count(drafter.pk) == 1


def test_reminding_is_for_published_tasks_in_the_jurisdiction(
    client_for, institution, inst_admin, other_institution, province_regulator, city_regulator
):
    task = task_published(province_regulator, criteria={"usccs": [institution.uscc, other_institution.uscc]})
    member_of(other_institution)
    client = client_for("city_regulator")
    assert "尚未提交的对象共 1 个" in client.get(task_url(task, "remind")).content.decode()
    client.post(task_url(task, "remind"))
    recipients = {r for r, _ in reminders()}
    assert recipients and all(institution.memberships.filter(user_id=r).exists() for r in recipients)
    draft = task_draft(city_regulator)
    assert client.get(task_url(draft, "remind")).status_code == 403


# --- Assignments ----------------------------------------------------------------------------------------


@pytest.fixture
def spread(institution, other_institution, inst_admin, province_regulator, city_regulator):
    """A province task to 金陵 (submitted), 秦淮 (draft), 建邺 (overdue), 溧水 (overdue, excused) and
    姑苏 (Suzhou, pending); and a city task to 金陵 (pending)."""
    qinhuai = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    jianye = InstitutionFactory(name="建邺示例检测有限公司", region_code="320105")
    lishui = InstitutionFactory(name="溧水示例检测有限公司", region_code="320117")
    task = task_published(
        province_regulator,
        period="全省2026年度",
        criteria={"usccs": [i.uscc for i in (institution, qinhuai, jianye, lishui, other_institution)]},
    )
    submitted(task, institution, inst_admin)
    services.assignment_save(assignment=assignment_of(task, qinhuai), by=member_of(qinhuai), values={})
    for late in (jianye, lishui):
        services.assignment_mark_overdue(assignment=assignment_of(task, late))
    services.assignment_excuse(
        assignment=assignment_of(task, lishui), by=province_regulator, reason="系统故障。"
    )
    city_task = task_published(city_regulator, period="南京2026年度", criteria={"usccs": [institution.uscc]})
    return {
        "task": task,
        "city_task": city_task,
        "institution": institution,
        "qinhuai": qinhuai,
        "jianye": jianye,
        "lishui": lishui,
        "suzhou": other_institution,
    }


def listed(client, query: dict | None = None) -> set[tuple[str, str]]:
    response = client.get(ASSIGNMENTS, query or {})
    assert response.status_code == 200
    return {(a.institution.name, a.task.period_label) for a in response.context["cl"].result_list}


def test_the_assignment_list_shows_every_assignment_in_the_jurisdiction(client_for, spread):
    city = client_for("city_regulator")
    everything = listed(city)
    assert everything == {
        ("金陵测试检测技术有限公司", "全省2026年度"),
        ("秦淮示例检测有限公司", "全省2026年度"),
        ("建邺示例检测有限公司", "全省2026年度"),
        ("溧水示例检测有限公司", "全省2026年度"),
        ("金陵测试检测技术有限公司", "南京2026年度"),
    }
    assert ("姑苏示例检验检测有限公司", "全省2026年度") in listed(client_for("province_regulator"))
    assert listed(client_for("other_city_regulator")) == {("姑苏示例检验检测有限公司", "全省2026年度")}
    page = city.get(ASSIGNMENTS).content.decode()
    assert "逾期未报（逾期）" in page and "逾期未报（逾期，已免于逾期）" in page and "未填报" in page


def test_a_draft_tasks_assignments_are_not_listed(client_for, institution, city_regulator):
    task = task_draft(city_regulator, criteria={"usccs": [institution.uscc]})
    ReportAssignment.objects.create(task=task, institution=institution, due_on=task.due_on)
    assert listed(client_for("city_regulator")) == set()


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"status__exact": "submitted"}, {"金陵测试检测技术有限公司"}),
        ({"status__exact": "draft"}, {"秦淮示例检测有限公司"}),
        ({"waiting": "0"}, {"金陵测试检测技术有限公司"}),
        (
            {"waiting": "1"},
            {
                "秦淮示例检测有限公司",
                "建邺示例检测有限公司",
                "溧水示例检测有限公司",
                "姑苏示例检验检测有限公司",
            },
        ),
        ({"late": "yes"}, {"建邺示例检测有限公司"}),
        ({"late": "excused"}, {"溧水示例检测有限公司"}),
        ({"late": "no"}, {"金陵测试检测技术有限公司", "秦淮示例检测有限公司", "姑苏示例检验检测有限公司"}),
        ({"city": "320500"}, {"姑苏示例检验检测有限公司"}),
        ({"city": "320100", "district": "320104"}, {"秦淮示例检测有限公司"}),
        ({"district": "320117"}, {"溧水示例检测有限公司"}),
    ],
)
def test_the_assignment_filters(client_for, spread, query, names):
    query = {"task__id__exact": spread["task"].pk, **query}
    assert {name for name, _ in listed(client_for("province_regulator"), query)} == names


def test_the_task_filter_offers_visible_published_tasks(client_for, spread, other_city_regulator):
    theirs = task_published(
        other_city_regulator, period="苏州2026年度", criteria={"usccs": [spread["suzhou"].uscc]}
    )
    response = client_for("city_regulator").get(ASSIGNMENTS, {"task__id__exact": spread["city_task"].pk})
    assert {a.task_id for a in response.context["cl"].result_list} == {spread["city_task"].pk}
    offered = {
        choice["display"]
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "parameter_name", "") == "task__id__exact"
        for choice in spec.choices(response.context["cl"])
    }
    assert spread["task"].title in offered and spread["city_task"].title in offered
    assert theirs.title not in offered
    # Another city's task chosen by id shows nothing of it.
    assert listed(client_for("city_regulator"), {"task__id__exact": theirs.pk}) == set()


def decide(client, assignment, name: str, comment: str = ""):
    return client.post(assignment_url(assignment), {"review_transition": name, "review-comment": comment})


def test_a_submitted_assignment_is_accepted_on_its_page(
    client_for, institution, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = submitted(task, institution, inst_admin)
    client = client_for("city_regulator")
    page = client.get(assignment_url(assignment)).content.decode()
    assert "审核通过" in page and "退回修改" in page and "运营平稳。" in page and "1,200.5 万元" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, assignment, "accept")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == S.ACCEPTED
    assert Notification.objects.filter(recipient=inst_admin, title__startswith="运营数据审核通过").exists()


def test_returning_needs_a_comment(
    client_for, institution, inst_admin, city_regulator, django_capture_on_commit_callbacks
):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = submitted(task, institution, inst_admin)
    client = client_for("city_regulator")
    response = decide(client, assignment, "return", "")
    assert response.status_code == 200 and "请填写审核意见" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, assignment, "return", "研发经费投入与上年差异较大，请核实。")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.review_comment) == (
        S.RETURNED,
        "研发经费投入与上年差异较大，请核实。",
    )
    assert Notification.objects.filter(recipient=inst_admin, title__startswith="运营数据被退回").exists()


def test_no_decision_on_an_assignment_not_handed_in(client_for, institution, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = assignment_of(task, institution)
    client = client_for("city_regulator")
    page = client.get(assignment_url(assignment)).content.decode()
    assert 'value="accept"' not in page
    decide(client, assignment, "accept")
    assignment.refresh_from_db()
    assert assignment.status == S.PENDING


def test_the_assignment_page_is_read_only(client_for, institution, inst_admin, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = submitted(task, institution, inst_admin)
    client = client_for("city_regulator")
    assert client.post(assignment_url(assignment), {"due_on": "2030-01-01"}).status_code == 403
    delete = reverse("admin:reporting_reportassignment_delete", args=[assignment.pk])
    assert client_for("superuser").get(delete).status_code == 403
    assert client.get(reverse("admin:reporting_reportassignment_add")).status_code == 403
    # An institution's own report names no center.
    assert "中心名称" not in client.get(assignment_url(assignment)).content.decode()


def test_another_citys_regulator_cannot_reach_an_assignment(
    client_for, institution, inst_admin, city_regulator
):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = submitted(task, institution, inst_admin)
    client = client_for("other_city_regulator")
    response = client.get(assignment_url(assignment))
    # Admin's answer for an id outside the queryset: the same redirect as for an id that never existed.
    missing = client.get(reverse("admin:reporting_reportassignment_change", args=[assignment.pk + 999]))
    assert response.status_code == missing.status_code == 302
    assert response["Location"] == missing["Location"]
    assert "运营平稳。" not in client.get(response["Location"]).content.decode()
    decide(client, assignment, "accept")
    assignment.refresh_from_db()
    assert assignment.status == S.SUBMITTED
    history = reverse("admin:reporting_reportassignment_history", args=[assignment.pk])
    assert client.get(history).status_code == 404


def test_the_answers_of_a_draft_stay_the_institutions_own(
    client_for, institution, inst_admin, city_regulator
):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = assignment_of(task, institution)
    services.assignment_save(assignment=assignment, by=inst_admin, values=INSTITUTION_ANSWERS)
    page = client_for("city_regulator").get(assignment_url(assignment)).content.decode()
    assert "尚未提交（草稿为机构自有，提交后可见）。" in page
    assert "运营平稳。" not in page and "1,200.5" not in page


def excuse(client, assignments, **extra):
    return client.post(
        ASSIGNMENTS,
        {"action": "excuse_selected", "_selected_action": [a.pk for a in assignments], **extra},
    )


def test_excusing_a_late_assignment_needs_a_reason(client_for, institution, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = assignment_of(task, institution)
    services.assignment_mark_overdue(assignment=assignment)
    client = client_for("city_regulator")
    confirm = excuse(client, [assignment])
    assert confirm.status_code == 200
    assert "免于逾期的理由" in confirm.content.decode() and "确认免于逾期" in confirm.content.decode()
    response = excuse(client, [assignment], confirm_excuse="yes", reason="  ")
    assert response.status_code == 200 and "请填写免于逾期的理由。" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.excused_at is None
    response = excuse(client, [assignment], confirm_excuse="yes", reason="因系统故障未能按期提交。")
    assert response.status_code == 302
    assert any("已对 1 个逾期填报免于逾期" in text for text in texts(response))
    assignment.refresh_from_db()
    assert assignment.excused_at is not None and assignment.excused_by == city_regulator
    assert assignment.excuse_reason == "因系统故障未能按期提交。"
    page = client.get(assignment_url(assignment)).content.decode()
    assert "已于" in page and "免于逾期：因系统故障未能按期提交。" in page


def test_only_a_late_assignment_is_excused(client_for, institution, inst_admin, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    assignment = submitted(task, institution, inst_admin)
    response = excuse(client_for("city_regulator"), [assignment], confirm_excuse="yes", reason="理由。")
    assert any("该填报未逾期或已免于逾期" in text for text in texts(response))
    assignment.refresh_from_db()
    assert assignment.excused_at is None


def test_the_remind_action_tells_the_selected_laggards(client_for, institution, inst_admin, city_regulator):
    second = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    waiter = member_of(second)
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc, second.uscc]})
    done = submitted(task, institution, inst_admin)
    client = client_for("city_regulator")
    response = client.post(
        ASSIGNMENTS,
        {"action": "remind_selected", "_selected_action": [done.pk, assignment_of(task, second).pk]},
    )
    assert response.status_code == 302
    assert any("已向 1 个对象发送催报；1 个已提交或 20 小时内已催报过" in text for text in texts(response))
    assert {r for r, _ in reminders()} == {waiter.pk}


# --- Center tasks ---------------------------------------------------------------------------------------


@pytest.fixture
def running_centers(institution, inst_admin, city_regulator, province_regulator):
    """金陵 hosts a provincial quality center and a national metrology one, both in operation, and one
    being built; 秦淮 hosts a provincial quality center in operation."""
    second = InstitutionFactory(name="秦淮示例检测有限公司", region_code="320104")
    for host in (institution, second):
        host.centers_enabled = True
        host.save()
    second_admin = member_of(second)
    provincial = building_center(institution, inst_admin, city_regulator, province_regulator)
    national = building_center(
        institution,
        inst_admin,
        city_regulator,
        province_regulator,
        name="国家计量测试中心（南京）",
        level="national",
        kind="measurement",
    )
    building_center(institution, inst_admin, city_regulator, province_regulator, name="在建中心")
    other = building_center(
        second, second_admin, city_regulator, province_regulator, name="江苏省电线电缆产品质量检验中心"
    )
    Center.objects.filter(pk__in=[provincial.pk, national.pk, other.pk]).update(status=CenterStatus.RUNNING)
    return provincial, national, other


def test_a_center_task_by_subject_filters_is_published_to_the_host(
    client_for, institution, inst_admin, running_centers
):
    provincial, national, other = running_centers
    client = client_for("city_regulator")
    form = client.get(TASK_ADD).context["adminform"].form
    offered = dict(form.fields["subject_ids"].choices)
    assert set(offered) == {str(provincial.pk), str(national.pk), str(other.pk)}  # not the one being built
    data = task_data(
        builtin(TargetKind.CENTER),
        subject_level=["provincial"],
        subject_kind=["quality"],
        cities=["320100"],
    )
    response = client.post(TASK_ADD, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    task = ReportTask.objects.get()
    assert task.target_kind == TargetKind.CENTER
    assert task.criteria == {"cities": ["320100"], "level": ["provincial"], "kind": ["quality"]}
    preview = preview_of(client.get(task_url(task)).content.decode())
    assert preview.startswith("共 2 个：") and provincial.name in preview and other.name in preview
    assert "国家计量测试中心" not in preview
    assert "将向 2 个中心发布" in client.get(task_url(task, "publish")).content.decode()
    client.post(task_url(task, "publish"))
    task.refresh_from_db()
    assert task.status == TaskStatus.PUBLISHED
    assignments = {a.subject_id: a for a in task.assignments.all()}
    assert set(assignments) == {provincial.pk, other.pk}
    mine = assignments[provincial.pk]
    assert (mine.institution_id, mine.subject_name) == (institution.pk, provincial.name)
    assert mine.subject_type.model_class() is Center
    assert Notification.objects.filter(
        recipient=inst_admin, title__startswith="运营数据填报任务", url=reverse("reporting:center_list")
    ).exists()
    rows = sheet(client.get(task_url(task, "export")))
    assert "中心名称" in rows[0] and "服务企业数（家）" in rows[0]
    assert {line[rows[0].index("中心名称")] for line in rows[1:]} == {provincial.name, other.name}
    page = client.get(ASSIGNMENTS).content.decode()
    # One column names the target: the center, with the institution that fills its report in under it.
    assert f'{provincial.name}<div class="help">{institution.name}</div>' in page


def test_a_center_task_for_chosen_centers(client_for, institution, running_centers):
    _, national, _ = running_centers
    client = client_for("city_regulator")
    response = client.post(TASK_ADD, task_data(builtin(TargetKind.CENTER), subject_ids=[str(national.pk)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    task = ReportTask.objects.get()
    assert task.criteria == {"subject_ids": [national.pk]}
    client.post(task_url(task, "publish"))
    (assignment,) = task.assignments.all()
    assert (assignment.subject_id, assignment.subject_name, assignment.institution_id) == (
        national.pk,
        "国家计量测试中心（南京）",
        institution.pk,
    )


def test_a_center_task_is_not_chosen_by_uscc_nor_an_institution_task_by_center(
    client_for, institution, running_centers
):
    provincial, _, _ = running_centers
    client = client_for("city_regulator")
    response = client.post(TASK_ADD, task_data(builtin(TargetKind.CENTER), usccs=institution.uscc))
    assert "向中心发布的任务请在“指定中心”中选择" in response.content.decode()
    response = client.post(TASK_ADD, task_data(subject_ids=[str(provincial.pk)]))
    assert "向机构发布的任务不能指定中心。" in response.content.decode()
    assert not ReportTask.objects.exists()


def test_another_citys_centers_are_not_offered(client_for, running_centers):
    form = client_for("other_city_regulator").get(TASK_ADD).context["adminform"].form
    assert form.fields["subject_ids"].choices == []


# --- Query counts ---------------------------------------------------------------------------------------


def make_tasks(n: int, regulator) -> None:
    """n published tasks, each to two Nanjing institutions (one submitted), and a draft."""
    for i in range(n):
        first = InstitutionFactory(region_code="320104")
        second = InstitutionFactory(region_code="320105")
        member = member_of(first, f"填报员{i}")
        task = task_published(regulator, period=f"第{i}期", criteria={"usccs": [first.uscc, second.uscc]})
        submitted(task, first, member)
        task_draft(regulator, period=f"草稿{i}")
        template = ReportTemplate.objects.create(name=f"模板{first.pk}")
        template.fields.create(key="staff", label="人数", field_type="integer")


@pytest.mark.parametrize("url", [TASKS, ASSIGNMENTS, TEMPLATES])
def test_list_queries_do_not_grow_with_rows(client_for, city_regulator, url, django_assert_max_num_queries):
    client = client_for("city_regulator")
    make_tasks(3, city_regulator)
    client.get(url)  # the session and the permission caches warm up
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    make_tasks(3, city_regulator)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 6


# Measured, the same for 3 and 6 rows: 13 for the tasks (session, user, regulator profile, permissions,
# the sidebar's queue counts, the date hierarchy, the count and the page with its progress counted in
# the same query), 11 for the assignments (the task filter's choices in one query).
@pytest.mark.parametrize("rows", [3, 6])
@pytest.mark.parametrize(("url", "most"), [(TASKS, 13), (ASSIGNMENTS, 11)])
def test_list_queries_are_pinned(client_for, city_regulator, django_assert_max_num_queries, rows, url, most):
    make_tasks(rows, city_regulator)
    client = client_for("city_regulator")
    client.get(url)
    with django_assert_max_num_queries(most):
        assert client.get(url).status_code == 200


def test_the_regulators_pages_load(client_for, institution, inst_admin, city_regulator):
    task = task_published(city_regulator, criteria={"usccs": [institution.uscc]})
    submitted(task, institution, inst_admin)
    client = client_for("city_regulator")
    for url in (
        "/admin/",
        TEMPLATES,
        reverse("admin:reporting_reporttemplate_change", args=[builtin().pk]),
        TEMPLATE_ADD,
        TASKS,
        TASK_ADD,
        ASSIGNMENTS,
    ):
        assert client.get(url).status_code == 200, url
