"""The 完善信息 form (manual §三.4): what the institution maintains about itself.

The conditional rules (高新技术企业 → 获得时间 and 证书扫描件; 上市公司 → 所属市场 and 股票代码) are the
model's `Institution.clean()`; this form runs it and its errors land on the fields they are about.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sujt.core.choices import TestingField
from sujt.core.forms import AttachmentFormMixin, ContentCheckedFileField

from ..models import Institution
from ..services.profile import HIGH_TECH_CERTIFICATE, LOGO

YES_NO_CHOICES = [("False", _("否")), ("True", _("是"))]


def _yes_no_field(label: str, required_message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_CHOICES,
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class ProfileForm(AttachmentFormMixin, forms.ModelForm):
    """Every field of 完善信息. Files are checked here and stored by `profile_update`."""

    is_high_tech = _yes_no_field(_("是否高新技术企业"), _("请选择是否为高新技术企业。"))
    high_tech_certificate = ContentCheckedFileField(
        label=_("高新技术企业证书扫描件"),
        rule=HIGH_TECH_CERTIFICATE,
        required=False,
        help_text=_("图片或 PDF 文件。选择“是”高新技术企业时必须上传；重新上传将替换原文件。"),
    )
    logo = ContentCheckedFileField(
        label=_("机构Logo"),
        rule=LOGO,
        required=False,
        help_text=_("图片文件（PNG、JPG、GIF、WEBP 或 BMP），不超过 2 MB；将在机构查询中公开显示。"),
    )
    is_listed = _yes_no_field(_("是否上市公司"), _("请选择是否为上市公司。"))
    fields = forms.MultipleChoiceField(
        label=_("检验检测领域"),
        choices=TestingField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。"),
    )

    class Meta:
        model = Institution
        fields = [
            "is_high_tech",
            "high_tech_obtained_on",
            "legal_person_type",
            "unit_type",
            "supervising_department",
            "ownership",
            "is_listed",
            "listed_market",
            "stock_code",
            "investor_type",
            "business_scope",
        ]
        widgets = {
            "high_tech_obtained_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "stock_code": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "如 600000"}),
        }
        help_texts = {
            "high_tech_obtained_on": _("选择“是”高新技术企业时必填，格式如 2021-02-01。"),
            "listed_market": _("上市公司必选。"),
            "stock_code": _("上市公司必填：4–8 位数字或大写字母。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_person_type"].required = True
        self.fields["legal_person_type"].error_messages["required"] = _("请选择法人类型。")
        self.fields["investor_type"].required = True
        self.fields["investor_type"].error_messages["required"] = _("请选择出资人类型。")
        for name in ("legal_person_type", "unit_type", "supervising_department", "ownership", "listed_market",
                     "investor_type"):  # fmt: skip
            self.fields[name].choices = [("", _("请选择")), *list(self.fields[name].choices)[1:]]
        if self.instance.pk and not self.is_bound:
            self.initial["fields"] = [field.code for field in self.instance.fields.all()]

    def clean_high_tech_obtained_on(self) -> Any:
        obtained_on = self.cleaned_data.get("high_tech_obtained_on")
        if obtained_on and obtained_on > timezone.localdate():
            raise forms.ValidationError(_("获得时间不能晚于今天。"))
        return obtained_on

    def clean_stock_code(self) -> str:
        return (self.cleaned_data.get("stock_code") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A "否" makes its dependent answers meaningless: they are cleared rather than kept stale.
        if cleaned.get("is_high_tech") is False:
            cleaned["high_tech_obtained_on"] = None
            cleaned["high_tech_certificate"] = None
        if cleaned.get("is_listed") is False:
            cleaned["listed_market"] = ""
            cleaned["stock_code"] = ""
        return cleaned

    @contextmanager
    def _scan_pending(self) -> Iterator[None]:
        """While the model's rules run, a scan chosen in this submission counts as present.

        It is stored only by the service once the form is valid; until then the instance has no id for
        it, and `Institution.clean()` would wrongly ask for one.
        """
        instance = self.instance
        saved_id = instance.high_tech_certificate_id
        if isinstance(self.cleaned_data.get("high_tech_certificate"), UploadedFile) and not saved_id:
            instance.high_tech_certificate_id = -1  # never saved: restored below
        try:
            yield
        finally:
            instance.high_tech_certificate_id = saved_id

    def _post_clean(self) -> None:
        # A field that already failed its own validation (e.g. a date in the future) keeps only that error:
        # the model, seeing no value, would add a second one about the same input.
        own_errors = {name: len(errors) for name, errors in self._errors.items()}
        with self._scan_pending():
            super()._post_clean()
        for name, count in own_errors.items():
            del self._errors[name][count:]

    def profile_data(self) -> dict[str, Any]:
        """The cleaned values for `profile_update` (without the files)."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["fields"] = list(self.cleaned_data.get("fields") or [])
        return data
