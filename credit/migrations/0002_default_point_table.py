"""DESIGN §7's default point table and policy (苏市监规〔2020〕6号 as summarised there): the official
table is not in our hands, so these are rows provincial regulators edit in admin."""

from decimal import Decimal

from django.db import migrations

# code, name, direction, points, months valid, yearly cap, veto, dimension
ITEMS = [
    ("K01", "未按期上传信用承诺书", "deduction", "5", 12, None, False, "basic"),
    ("K02", "监督检查发现一般问题（每项）", "deduction", "2", 12, None, False, "supervision"),
    ("K03", "责令限期整改", "deduction", "5", 12, None, False, "supervision"),
    ("K04", "逾期未完成整改", "deduction", "10", 24, None, False, "supervision"),
    ("K05", "未按期填报运营数据", "deduction", "3", 12, None, False, "operation"),
    ("K06", "能力验证不满意", "deduction", "5", 12, None, False, "capability"),
    ("K07", "出具不实报告", "deduction", "20", 24, None, False, "supervision"),
    ("K08", "出具虚假报告", "deduction", "40", 36, None, True, "supervision"),
    ("K09", "行政处罚", "deduction", "10", 24, None, False, "supervision"),
    ("K10", "资质认定证书被撤销", "deduction", "0", 36, None, True, "basic"),
    ("J01", "能力验证满意", "bonus", "1", 12, 3, False, "capability"),
    ("J02", "高新技术企业", "bonus", "2", 12, None, False, "innovation"),
    ("J03", "主持制定国家/行业标准（每项）", "bonus", "3", 36, None, False, "innovation"),
    ("J04", "参与制定国家/行业标准（每项）", "bonus", "1", 36, None, False, "innovation"),
    ("J05", "国家级质检中心", "bonus", "3", 36, None, False, "capability"),
    ("J06", "省级质检中心", "bonus", "2", 36, None, False, "capability"),
    ("J07", "省部级以上科技奖励", "bonus", "2", 36, None, False, "innovation"),
]


def seed(apps, schema_editor):
    item = apps.get_model("credit", "CreditItem")
    policy = apps.get_model("credit", "CreditPolicy")
    for code, name, direction, points, months, cap, veto, dimension in ITEMS:
        item.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "direction": direction,
                "points": Decimal(points),
                "months_valid": months,
                "yearly_cap": cap,
                "veto": veto,
                "dimension": dimension,
            },
        )
    if not policy.objects.exists():
        policy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_credit_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
