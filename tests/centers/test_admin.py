"""Module 04 for regulators in admin: the review queues decide through the kit's buttons (the city step
for city regulators, the province step for the province), the decisions that move a center run its
services, files are served to whom the queue lists them, the centers list is scoped, counts its queries,
exports its clock and progress, and only the province revokes."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from centers.choices import AcceptanceStatus, CenterStatus, TwoStepStatus
from centers.models import Center, ConstructionApplication
from sujt.core.attachments import attachments_of
from sujt.core.registries import review_queues_for
from sujt.core.workflow import Side, transition
from tests.centers.factories import (
    acceptance_submitted,
    building_center,
    construction_submitted,
    task_book_approved,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def enabled(institution):
    institution.centers_enabled = True
    institution.save()
    return institution


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def decide(client, obj, name: str, comment: str = ""):
    return client.post(change_url(obj), {"review_transition": name, "review-comment": comment})


def test_a_construction_goes_through_the_city_then_the_province(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    city, province = client_for("city_regulator"), client_for("province_regulator")
    page = city.get(change_url(application)).content.decode()
    assert "市局审核通过" in page and "批准筹建" not in page and "可行性研究报告" in page
    assert decide(city, application, "province_approve").status_code == 403
    application.refresh_from_db()
    assert application.status == TwoStepStatus.CITY_REVIEW  # the city may not take the province step
    decide(city, application, "city_approve", "材料齐全。")
    application.refresh_from_db()
    assert application.status == TwoStepStatus.PROVINCE_REVIEW
    assert "批准筹建" in province.get(change_url(application)).content.decode()
    decide(province, application, "province_approve", "同意筹建。")
    center = Center.objects.get()
    assert center.status == CenterStatus.BUILDING and center.approval_number.startswith("苏市监中心筹")


def test_a_refusal_needs_a_comment(client_for, enabled, inst_admin, city_regulator):
    application = construction_submitted(enabled, inst_admin)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    response = decide(client_for("province_regulator"), application, "province_reject", "")
    assert response.status_code == 200 and "请填写审核意见" in response.content.decode()
    assert Center.objects.get().status == CenterStatus.APPLYING
    decide(client_for("province_regulator"), application, "province_reject", "建设必要性不足。")
    assert Center.objects.get().status == CenterStatus.REVOKED


def test_the_queues_are_per_step(client_for, enabled, inst_admin, city_regulator, province_regulator):
    application = construction_submitted(enabled, inst_admin)
    city = {q.key: q.count for q in review_queues_for(user=city_regulator)}
    province = {q.key: q.count for q in review_queues_for(user=province_regulator)}
    assert city.get("centers.construction_city") == 1 and "centers.construction_province" not in city
    assert province.get("centers.construction_province") == 0 and "centers.construction_city" not in province
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    province = {q.key: q.count for q in review_queues_for(user=province_regulator)}
    assert province["centers.construction_province"] == 1


def test_acceptance_passes_with_its_grade_in_admin(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    application = acceptance_submitted(center, inst_admin)
    decide(client_for("city_regulator"), application, "city_approve")
    page = client_for("province_regulator").get(change_url(application)).content.decode()
    assert "验收通过（优秀）" in page and "验收不通过" in page and "达标" in page
    decide(client_for("province_regulator"), application, "pass_excellent", "验收合格。")
    application.refresh_from_db()
    center.refresh_from_db()
    assert application.status == AcceptanceStatus.PASSED
    assert (center.status, center.acceptance_grade) == (CenterStatus.RUNNING, "excellent")


def test_another_region_sees_neither_the_application_nor_its_files(client_for, enabled, inst_admin):
    application = construction_submitted(enabled, inst_admin)
    attachment = attachments_of(application).first()
    file_url = reverse("admin:centers_constructionapplication_file", args=[application.pk, attachment.pk])
    assert client_for("city_regulator").get(file_url).status_code == 200
    assert client_for("other_city_regulator").get(file_url).status_code == 404
    assert client_for("other_city_regulator").get(change_url(application)).status_code == 302
    assert (
        "江苏省食品接触"
        not in client_for("other_city_regulator")
        .get(reverse("admin:centers_constructionapplication_changelist"))
        .content.decode()
    )


def test_a_draft_is_the_institutions_own(client_for, enabled, inst_admin):
    from centers import services
    from tests.centers.factories import construction_data, equipment_rows

    draft = services.construction_save(
        institution=enabled, by=inst_admin, data=construction_data(), equipment=equipment_rows()
    )
    assert client_for("city_regulator").get(change_url(draft)).status_code == 302
    assert ConstructionApplication.objects.count() == 1


def test_only_the_province_revokes_a_center(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    assert "撤销中心" not in client_for("city_regulator").get(change_url(center)).content.decode()
    decide(client_for("city_regulator"), center, "revoke", "撤销")
    center.refresh_from_db()
    assert center.status == CenterStatus.BUILDING
    page = client_for("province_regulator").get(change_url(center)).content.decode()
    assert "撤销中心" in page
    decide(client_for("province_regulator"), center, "revoke", "依托单位申请终止。")
    center.refresh_from_db()
    assert center.status == CenterStatus.REVOKED and center.review_comment == "依托单位申请终止。"


@pytest.mark.parametrize("count", [2, 4])
def test_the_centers_list_is_scoped_and_its_queries_do_not_grow(
    client_for, enabled, inst_admin, city_regulator, province_regulator, count, django_assert_max_num_queries
):
    for n in range(count):
        center = building_center(enabled, inst_admin, city_regulator, province_regulator, name=f"中心{n}")
        task_book_approved(center, inst_admin, city_regulator)
    url = reverse("admin:centers_center_changelist")
    client = client_for("city_regulator")
    # Session, user, regulator, permissions (2), counts (2), the page, the progress (2), unread messages,
    # and one count per review queue the city sees in the sidebar (12 today).
    with django_assert_max_num_queries(24):
        html = client.get(url).content.decode()
    assert html.count("中心") and "0%" in html
    assert "中心0" not in client_for("other_city_regulator").get(url).content.decode()
    assert "中心0" in client_for("city_regulator").get(url, {"task_book": "approved"}).content.decode()
    assert "中心0" not in client_for("city_regulator").get(url, {"task_book": "missing"}).content.decode()
    status_in = client_for("city_regulator").get(url, {"status__in": "building,failed,overdue"})
    assert "中心0" in status_in.content.decode()


def test_the_centers_export_has_the_clock_and_progress(
    client_for, enabled, inst_admin, city_regulator, province_regulator
):
    center = building_center(enabled, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
    response = client_for("province_regulator").get(reverse("admin:centers_center_export_xlsx"))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=False))
    assert row["中心名称"] == center.name and row["状态"] == "筹建中" and row["现行任务书版本"] == 1
    assert row["指标完成度"] == "0%" and row["剩余时间"].startswith("还剩")
