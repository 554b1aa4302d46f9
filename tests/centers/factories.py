"""Builders of module 04 for tests: every object is made through centers.services, as a user would, so
a center reached "in 筹建中" has its application, approval, deadlines and transition log.

    center = building_center(institution, inst_admin, city_regulator, province_regulator)
    task_book_approved(center, inst_admin, city_regulator)
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from centers import services
from centers.choices import CenterKind, CenterLevel, TaskBookKind
from centers.models import Center, ConstructionApplication, TaskBook
from sujt.core.workflow import Side, transition
from tests.core.samples import PDF_BYTES, upload

TODAY = timezone.localdate()


def pdf(name: str = "材料.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


def construction_data(**overrides) -> dict:
    data = {
        "name": "江苏省食品接触材料质量检验中心",
        "level": CenterLevel.PROVINCIAL,
        "kind": CenterKind.QUALITY,
        "product_scope": "食品接触用塑料、纸制品、金属制品及其迁移物检测",
        "industry": "轻工",
        "content_and_goals": "建成覆盖食品接触材料全部国家标准的检测能力，形成区域技术服务中心。",
        "planned_investment": Decimal("1200.00"),
        "funding_source": "企业自筹与省级专项资金",
        "construction_months": 18,
        "staffing_plan": "新增检测人员 12 名，其中高级职称 4 名。",
    }
    data.update(overrides)
    return data


def equipment_rows() -> list[dict]:
    return [
        {
            "name": "气相色谱质谱联用仪",
            "specification": "GCMS-QP2020",
            "unit_price": Decimal("85.50"),
            "quantity": 2,
        },
        {
            "name": "电感耦合等离子体质谱仪",
            "specification": "ICP-MS 7900",
            "unit_price": Decimal("160.00"),
            "quantity": 1,
        },
    ]


def indicator_rows(center: Center | None = None) -> list[dict]:
    due = (
        center.construction_due_on
        if center and center.construction_due_on
        else TODAY + datetime.timedelta(days=400)
    )
    return [
        {
            "name": "新增检测能力",
            "target_value": Decimal("120"),
            "unit": "项",
            "due_on": due - datetime.timedelta(days=60),
        },
        {
            "name": "仪器设备投入",
            "target_value": Decimal("1200"),
            "unit": "万元",
            "due_on": due - datetime.timedelta(days=30),
        },
    ]


def construction_submitted(institution, by, **overrides) -> ConstructionApplication:
    return services.construction_save(
        institution=institution,
        by=by,
        data=construction_data(**overrides),
        equipment=equipment_rows(),
        feasibility=pdf("可行性研究报告.pdf"),
        submit=True,
    )


def construction_approved(
    institution, by, city_regulator, province_regulator, **overrides
) -> ConstructionApplication:
    application = construction_submitted(institution, by, **overrides)
    transition(obj=application, name="city_approve", by=city_regulator, side=Side.CITY)
    services.construction_approve(application=application, by=province_regulator, side=Side.PROVINCE)
    application.refresh_from_db()
    return application


def building_center(institution, by, city_regulator, province_regulator, **overrides) -> Center:
    """A center in 筹建中 (approved today, deadlines from the settings)."""
    return construction_approved(institution, by, city_regulator, province_regulator, **overrides).center


def task_book_approved(center: Center, by, regulator) -> TaskBook:
    task_book = services.taskbook_save(center=center, by=by, indicators=indicator_rows(center), submit=True)
    services.taskbook_approve(task_book=task_book, by=regulator, side=Side.CITY)
    center.refresh_from_db()
    return task_book


def change_submitted(center: Center, by, **kwargs) -> TaskBook:
    rows = [
        {
            "number": i.number,
            "name": i.name,
            "target_value": i.target_value,
            "unit": i.unit,
            "due_on": i.due_on,
        }
        for i in center.task_book.indicators.all()
    ]
    rows[0]["target_value"] += 30
    return services.taskbook_save(
        center=center,
        by=by,
        kind=TaskBookKind.CHANGE,
        indicators=rows,
        reason="新增检测项目需要调整目标值。",
        submit=True,
        **kwargs,
    )


def evaluation_rows(center: Center, *, met: bool = True) -> list[dict]:
    return [
        {"indicator_id": i.pk, "achieved_value": i.target_value, "met": met, "remark": "已完成"}
        for i in center.task_book.indicators.all()
    ]


def acceptance_submitted(center: Center, by):
    return services.acceptance_save(
        center=center,
        by=by,
        summary="中心已按任务书完成全部建设内容。",
        evaluations=evaluation_rows(center),
        files=[pdf("验收材料.pdf")],
        submit=True,
    )
