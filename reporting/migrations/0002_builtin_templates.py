"""The two built-in templates of issue 17: 检验检测机构年度运营情况 (07) and 中心运营情况 (08). Regulators may
edit them in admin (a task freezes the fields it was published with) but not delete them."""

from django.db import migrations

SERVICE_FIELDS = "食品\n建筑工程\n建材\n环境与环保\n水质\n机械\n电子信息\n轻工\n纺织服装\n化工\n医疗器械\n其他"

# (group, key, label, type, unit, required, min, max, options, help)
INSTITUTION = [
    ("经营情况", "revenue", "营业收入", "money", "", True, 0, None, "", "本年度营业收入总额。"),
    ("经营情况", "testing_revenue", "其中检验检测服务收入", "money", "", True, 0, None, "", ""),
    ("经营情况", "testing_revenue_share", "检验检测收入占比", "percent", "", False, None, None, "", ""),
    ("经营情况", "reports_issued", "出具检验检测报告数", "integer", "份", True, 0, None, "", ""),
    ("经营情况", "rd_investment", "研发经费投入", "money", "", True, 0, None, "", ""),
    ("人员", "staff_total", "从业人员数", "integer", "人", True, 0, None, "", "年末在岗人数。"),
    ("人员", "senior_titles", "其中高级职称人数", "integer", "人", True, 0, None, "", ""),
    ("人员", "middle_titles", "中级职称人数", "integer", "人", True, 0, None, "", ""),
    ("资源", "equipment_count", "仪器设备数量", "integer", "台套", True, 0, None, "", ""),
    ("资源", "equipment_value", "仪器设备原值", "money", "", True, 0, None, "", ""),
    ("资源", "lab_area", "实验室面积", "decimal", "㎡", True, 0, None, "", ""),
    ("其他", "specialized", "是否专精特新企业", "boolean", "", True, None, None, "", "获得省级及以上专精特新认定的选“是”。"),
    ("其他", "service_fields", "主要服务领域", "multiple", "", True, None, None, SERVICE_FIELDS, "可多选。"),
    ("其他", "last_review_on", "最近一次资质认定评审日期", "date", "", False, None, None, "", ""),
    ("其他", "remarks", "年度运营情况说明", "long_text", "", False, None, None, "", "主要业务进展、存在困难等。"),
]

CENTER = [
    ("服务情况", "companies_served", "服务企业数", "integer", "家", True, 0, None, "", ""),
    ("服务情况", "government_tasks", "承担政府委托检验任务数", "integer", "项", True, 0, None, "", ""),
    ("服务情况", "reports_issued", "出具检验检测报告数", "integer", "份", True, 0, None, "", ""),
    ("服务情况", "revenue", "营业收入", "money", "", True, 0, None, "", ""),
    ("科研与标准", "research_projects", "科研项目数", "integer", "项", True, 0, None, "", ""),
    ("科研与标准", "standards", "标准制修订数", "integer", "项", True, 0, None, "", "主持和参与制修订的国家、行业、地方标准。"),
    ("科研与标准", "patents", "专利数", "integer", "件", True, 0, None, "", "本期新授权专利。"),
    ("能力", "technical_staff", "技术人员数", "integer", "人", True, 0, None, "", ""),
    ("能力", "equipment_value", "仪器设备原值", "money", "", True, 0, None, "", ""),
    ("能力", "shares_equipment", "是否对外开放共享仪器设备", "boolean", "", True, None, None, "", ""),
    ("能力", "highlights", "重大技术服务成果", "long_text", "", False, None, None, "", ""),
]

TEMPLATES = [
    ("检验检测机构年度运营情况", "institution", "技术机构年度运营数据（模块 07）。", INSTITUTION),
    ("中心运营情况", "center", "国家级、省级质检中心和计量（测试）中心的运营数据（模块 08）。", CENTER),
]


def create(apps, schema_editor):
    ReportTemplate = apps.get_model("reporting", "ReportTemplate")
    TemplateField = apps.get_model("reporting", "TemplateField")
    for name, kind, description, fields in TEMPLATES:
        template, created = ReportTemplate.objects.get_or_create(
            name=name, defaults={"target_kind": kind, "description": description, "builtin": True}
        )
        if not created:
            continue
        TemplateField.objects.bulk_create(
            TemplateField(
                template=template,
                position=(index + 1) * 10,
                group=group,
                key=key,
                label=label,
                field_type=field_type,
                unit=unit,
                required=required,
                min_value=low,
                max_value=high,
                options=options,
                help_text=help_text,
            )
            for index, (group, key, label, field_type, unit, required, low, high, options, help_text) in enumerate(
                fields
            )
        )


def remove(apps, schema_editor):
    apps.get_model("reporting", "ReportTemplate").objects.filter(builtin=True, tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
