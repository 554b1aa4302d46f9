"""Factories of 03 机构整改. They write rows directly (no events, no notifications): tests of what the
services record create through `rectification.services` instead."""

import datetime

import factory
from django.utils import timezone

from rectification.choices import FindingCategory, InspectionKind, PenaltyKind, Severity
from rectification.models import Finding, Inspection, Penalty
from tests.factories import InstitutionFactory


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    institution = factory.SubFactory(InstitutionFactory)
    kind = InspectionKind.RANDOM
    inspected_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    inspectors = "检查员甲、检查员乙"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    category = FindingCategory.EQUIPMENT
    severity = Severity.GENERAL
    description = factory.Sequence(lambda n: f"仪器设备未按期检定（第 {n} 项）。")
    clause = "《检验检测机构资质认定管理办法》第二十八条"


class PenaltyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Penalty

    inspection = factory.SubFactory(InspectionFactory)
    kind = PenaltyKind.WARNING
    amount = None
    decision_number = factory.Sequence(lambda n: f"苏市监罚〔2026〕{n + 1}号")
    decided_on = factory.LazyFunction(timezone.localdate)
    description = "出具的检验检测报告数据与原始记录不符。"
