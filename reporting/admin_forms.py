"""Admin forms of 07/08: a task with how its targets are chosen (the filters of reporting.targets, offered
within the regulator's jurisdiction), the template fields' inline formset, and the few words an action asks
for (免于逾期)."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from institutions.choices import LegalPersonType
from sujt.core.choices import TestingField
from sujt.core.regions import CITY_CHOICES, PROVINCE_CODE, city_code_of
from sujt.core.validators import validate_uscc

from . import targets
from .choices import CreditScope, TargetKind
from .models import ReportTask, ReportTemplate

USCC_SPLIT = re.compile(r"[\s,，;；、]+")
UNKNOWN_SHOWN = 10


def _cities_for(scope: str | None) -> list[tuple[str, str]]:
    if scope == PROVINCE_CODE:
        return list(CITY_CHOICES)
    return [(code, name) for code, name in CITY_CHOICES if scope and code == city_code_of(scope)]


def _checkboxes(label: str, choices: Any, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


class ReportTaskForm(forms.ModelForm):
    """The task's facts, then its targets: filters that all apply together, or an explicit list."""

    cities = _checkboxes("所在城市", [], "不选表示发布范围内的全部城市。")
    testing_fields = _checkboxes(
        "检验检测领域", TestingField.choices, "机构在“完善信息”中填报的领域，任选其一即可。"
    )
    legal_person_types = _checkboxes("法人类型", LegalPersonType.choices)
    credit_scope = forms.ChoiceField(
        label="信用评价范围",
        choices=[("", "不限"), *CreditScope.choices],
        required=False,
        help_text="纳入信用评价：持有江苏省颁发的有效资质认定证书的机构。",
    )
    usccs = forms.CharField(
        label="指定机构",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="填写统一社会信用代码，每行一个（可从 Excel 整列粘贴）；"
        "填写后只发给这些机构，上面的筛选条件不再使用。",
    )
    subject_ids = forms.MultipleChoiceField(
        label="指定中心",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="按住 Ctrl 可多选；选择后只发给这些中心，上面的筛选条件不再使用。",
    )

    class Meta:
        model = ReportTask
        fields = ["template", "period_label", "title", "due_on", "target_kind", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"title": "留空时为“填报期间 + 模板名称”，如“2026年度检验检测机构年度运营情况”。"}

    def __init__(self, *args: Any, scope: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope or (self.instance.region_code if self.instance.pk else None)
        if "title" not in self.fields:
            return  # a published task: everything is read-only
        self.fields["title"].required = False
        self.fields["template"].queryset = ReportTemplate.objects.filter(active=True)
        self.fields["cities"].choices = _cities_for(self.scope)
        subject = targets.subject_of(TargetKind.CENTER)
        self.subject_filter_names = subject_filter_names()
        if subject is not None:
            running = targets.subjects_matching(subject=subject, criteria={}, region_code=self.scope or "")
            self.fields["subject_ids"].choices = [
                (str(obj.pk), f"{subject.name(obj)}（{obj.institution.name}）")
                for obj in running.order_by(f"{subject.institution_field}__name", "pk")[: targets.MAX_TARGETS]
            ]
        criteria = self.instance.criteria or {}
        for name in ("cities", "legal_person_types"):
            self.initial.setdefault(name, criteria.get(name, []))
        self.initial.setdefault("testing_fields", criteria.get("fields", []))
        self.initial.setdefault("credit_scope", criteria.get("credit_scope", ""))
        self.initial.setdefault("usccs", "\n".join(criteria.get("usccs", [])))
        self.initial.setdefault("subject_ids", [str(pk) for pk in criteria.get("subject_ids", [])])
        for name in self.subject_filter_names:
            self.initial.setdefault(name, criteria.get(name.removeprefix("subject_"), []))

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        if due_on and due_on <= timezone.localdate():
            raise ValidationError("截止日期须晚于今天。")
        return due_on

    def clean_usccs(self) -> list[str]:
        codes = [code.upper() for code in USCC_SPLIT.split(self.cleaned_data.get("usccs") or "") if code]
        codes = list(dict.fromkeys(codes))
        if len(codes) > targets.USCC_LIST_MAX:
            raise ValidationError(f"一次最多指定 {targets.USCC_LIST_MAX} 家机构。")
        malformed = []
        for code in codes:
            try:
                validate_uscc(code)
            except ValidationError:
                malformed.append(code)
        if malformed:
            raise ValidationError(f"以下统一社会信用代码格式有误：{'、'.join(malformed[:UNKNOWN_SHOWN])}")
        unknown = targets.usccs_unknown(usccs=codes, region_code=self.scope or "") if codes else []
        if unknown:
            more = f"等 {len(unknown)} 个" if len(unknown) > UNKNOWN_SHOWN else ""
            raise ValidationError(
                f"发布范围内没有以下正常经营的机构：{'、'.join(unknown[:UNKNOWN_SHOWN])}{more}。请核对后重试。"
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        template, kind = data.get("template"), data.get("target_kind")
        if template and kind and template.target_kind != kind:
            self.add_error(
                "template", f"该模板适用于{template.get_target_kind_display()}，与填报对象不一致。"
            )
        if kind == TargetKind.CENTER and targets.subject_of(kind) is None:
            self.add_error("target_kind", "中心填报暂不可用。")
        if kind == TargetKind.CENTER and data.get("usccs"):
            self.add_error("usccs", "向中心发布的任务请在“指定中心”中选择，不按机构指定。")
        if kind == TargetKind.INSTITUTION and data.get("subject_ids"):
            self.add_error("subject_ids", "向机构发布的任务不能指定中心。")
        return data

    def criteria(self) -> dict[str, Any]:
        """The task's record of the choice, as reporting.targets reads it (empty choices left out)."""
        data = self.cleaned_data
        if data.get("target_kind") == TargetKind.CENTER:
            chosen = {
                "cities": data.get("cities") or [],
                "subject_ids": [int(pk) for pk in data.get("subject_ids") or []],
                **{name.removeprefix("subject_"): data.get(name) or [] for name in self.subject_filter_names},
            }
        else:
            chosen = {
                "cities": data.get("cities") or [],
                "fields": data.get("testing_fields") or [],
                "legal_person_types": data.get("legal_person_types") or [],
                "credit_scope": data.get("credit_scope") or "",
                "usccs": data.get("usccs") or [],
            }
        return {key: value for key, value in chosen.items() if value}


def subject_filter_names() -> list[str]:
    subject = targets.subject_of(TargetKind.CENTER)
    return [f"subject_{spec.key}" for spec in subject.filters] if subject else []


def task_form_class() -> type[ReportTaskForm]:
    """ReportTaskForm with a field per filter the center subject declares (core's registry is filled when
    the apps are ready, after this module is imported)."""
    subject = targets.subject_of(TargetKind.CENTER)
    declared = (
        {f"subject_{spec.key}": _checkboxes(spec.label, spec.choices) for spec in subject.filters}
        if subject
        else {}
    )
    return type("ReportTaskForm", (ReportTaskForm,), declared)


class TemplateFieldFormSet(BaseInlineFormSet):
    """A template needs at least one field, and each key once."""

    def clean(self) -> None:
        # The repeated keys are named here, before Django's own uniqueness check (which runs in
        # super().clean()) can answer with its generic message about the model's internal field name.
        keys = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            keys.append(form.cleaned_data.get("key"))
        repeated = sorted({key for key in keys if key and keys.count(key) > 1})
        if repeated:
            raise ValidationError(f"字段标识不能重复：{'、'.join(repeated)}")
        super().clean()
        if not keys:
            raise ValidationError("模板至少需要一个字段。")


class ExcuseForm(forms.Form):
    reason = forms.CharField(
        label="免于逾期的理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        error_messages={"required": "请填写免于逾期的理由。"},
    )
