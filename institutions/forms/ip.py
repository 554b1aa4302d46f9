"""Forms of the intellectual property the institution maintains, and their Excel columns.

One form per kind serves the add/edit pages and validates each row of an Excel import, so both go
through the model's validators and `clean()` (number formats, patent type vs the number's 7th digit,
date order) plus the per-institution uniqueness of the number, which the model's constraint cannot
check in a form that does not show the institution.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sujt.core.choices import AttachmentKind
from sujt.core.excel_import import ColumnKind, ImportColumn
from sujt.core.forms import ContentCheckedFileField

from ..choices import PatentType
from ..models import Institution, Patent, SoftwareCopyright, Trademark
from ..models.ip import validate_patent_number
from ..selectors.ip import IP_TITLES, IP_UNIQUE_FIELDS, ip_key

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _compact(value: str | None) -> str:
    """A number as typed, without spaces (also full-width ones) and in upper case."""
    return "".join((value or "").split()).upper()


def _is_valid(validator: Any, value: str) -> bool:
    try:
        validator(value)
    except forms.ValidationError:
        return False
    return True


class IpForm(forms.ModelForm):
    """Common to the three kinds: the institution is set on the row, the number is unique within it.

    `taken` (optional) is the set of keys the institution already uses (selectors.ip.ip_taken_keys), so
    that an import of thousands of rows checks uniqueness without one query per row.
    """

    kind: ClassVar[str]
    duplicate_message: ClassVar[str]

    def __init__(
        self, *args: Any, institution: Institution, taken: Collection[tuple] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.instance.institution = institution
        self.taken = taken

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        fields = IP_UNIQUE_FIELDS[self.kind]
        values = tuple(cleaned.get(name) for name in fields)
        if any(value in (None, "") for value in values) or any(name in self.errors for name in fields):
            return cleaned
        if self.taken is not None and self.instance.pk is None:
            duplicate = ip_key(values) in self.taken
        else:
            duplicate = (
                type(self.instance)
                .objects.filter(institution=self.institution, **dict(zip(fields, values, strict=True)))
                .exclude(pk=self.instance.pk)
                .exists()
            )
        if duplicate:
            self.add_error(fields[0], self.duplicate_message)
        return cleaned

    def _not_in_future(self, name: str, message: str) -> datetime.date | None:
        value = self.cleaned_data.get(name)
        if value and value > timezone.localdate():
            raise forms.ValidationError(message, code="future")
        return value


class CopyrightForm(IpForm):
    kind = "copyright"
    duplicate_message = _("本机构已登记过该登记号的软件著作权。")

    class Meta:
        model = SoftwareCopyright
        fields = ["name", "registration_number", "version", "registered_on"]
        widgets = {
            "registration_number": forms.TextInput(
                attrs={"placeholder": "如 2023SR0123456", "autocomplete": "off"}
            ),
            "registered_on": _date_widget(),
        }
        help_texts = {"registration_number": _("中国版权保护中心颁发的计算机软件著作权登记号。")}

    def clean_registration_number(self) -> str:
        return _compact(self.cleaned_data.get("registration_number"))

    def clean_registered_on(self) -> datetime.date | None:
        return self._not_in_future("registered_on", _("登记日期不能晚于今天。"))


class PatentForm(IpForm):
    kind = "patent"
    duplicate_message = _("本机构已登记过该专利号。")

    class Meta:
        model = Patent
        fields = ["name", "patent_type", "patent_number", "applied_on", "granted_on", "inventors"]
        widgets = {
            "patent_number": forms.TextInput(
                attrs={"placeholder": "如 ZL202310123456.7", "autocomplete": "off"}
            ),
            "applied_on": _date_widget(),
            "granted_on": _date_widget(),
        }
        help_texts = {
            "patent_number": _(
                "ZL + 12位申请号 + “.” + 校验位；专利号第7位 1、2、3 分别表示发明、实用新型、外观设计。"
            ),
            "inventors": _("多人以顿号分隔。"),
        }

    def clean_patent_number(self) -> str:
        return _compact(self.cleaned_data.get("patent_number"))

    def clean_applied_on(self) -> datetime.date | None:
        return self._not_in_future("applied_on", _("申请日不能晚于今天。"))

    def clean_granted_on(self) -> datetime.date | None:
        return self._not_in_future("granted_on", _("授权公告日不能晚于今天。"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        number, applied_on = cleaned.get("patent_number"), cleaned.get("applied_on")
        if (
            number
            and applied_on
            and "patent_number" not in self.errors
            and _is_valid(validate_patent_number, number)
        ):
            year = int(number[2:6])
            if year != applied_on.year:
                self.add_error(
                    "applied_on",
                    _("申请日的年份（%(applied)s）与专利号中的申请年份（%(year)s）不一致。")
                    % {"applied": applied_on.year, "year": year},
                )
        return cleaned


class TrademarkForm(IpForm):
    kind = "trademark"
    duplicate_message = _("本机构已登记过该注册号在此国际分类下的商标。")

    class Meta:
        model = Trademark
        fields = ["name", "registration_number", "nice_class", "valid_from", "valid_until"]
        widgets = {
            "registration_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "nice_class": forms.NumberInput(attrs={"min": 1, "max": 45}),
            "valid_from": _date_widget(),
            "valid_until": _date_widget(),
        }

    def clean_registration_number(self) -> str:
        return _compact(self.cleaned_data.get("registration_number"))


class IpImportForm(forms.Form):
    file = ContentCheckedFileField(
        label=_("Excel 文件"),
        kinds=[AttachmentKind.XLSX],
        max_bytes=IMPORT_MAX_BYTES,
        help_text=_("请使用下载的模板填写，.xlsx 格式，不超过 5 MB。"),
    )


@dataclass(frozen=True)
class IpKind:
    """Everything the pages, the import and the export need about one kind."""

    key: str
    title: str
    model: type[Model]
    form_class: type[IpForm]
    columns: list[ImportColumn]

    @property
    def unique_fields(self) -> tuple[str, ...]:
        return IP_UNIQUE_FIELDS[self.key]


COPYRIGHT_COLUMNS = [
    ImportColumn("软件名称", "name", required=True, example="检验检测数据管理系统", width=30),
    ImportColumn(
        "登记号", "registration_number", required=True, help="如 2023SR0123456。", example="2023SR0123456"
    ),
    ImportColumn("版本号", "version", example="V1.0"),
    ImportColumn(
        "登记日期", "registered_on", kind=ColumnKind.DATE, required=True, example=datetime.date(2023, 5, 12)
    ),
]
PATENT_COLUMNS = [
    ImportColumn("专利名称", "name", required=True, example="一种水质重金属快速检测装置", width=30),
    ImportColumn(
        "专利类型",
        "patent_type",
        kind=ColumnKind.CHOICE,
        required=True,
        choices=PatentType.choices,
        help="应与专利号第7位一致（1 发明、2 实用新型、3 外观设计）。",
        example=PatentType.UTILITY,
    ),
    ImportColumn(
        "专利号",
        "patent_number",
        required=True,
        help="ZL + 12位申请号 + “.” + 校验位，如 ZL202320123456.7。",
        example="ZL202320123456.7",
        width=22,
    ),
    ImportColumn(
        "申请日",
        "applied_on",
        kind=ColumnKind.DATE,
        required=True,
        help="年份应与专利号中的申请年份一致。",
        example=datetime.date(2023, 3, 8),
    ),
    ImportColumn(
        "授权公告日",
        "granted_on",
        kind=ColumnKind.DATE,
        help="不能早于申请日。",
        example=datetime.date(2023, 9, 19),
    ),
    ImportColumn("发明人", "inventors", help="多人以顿号分隔。", example="张明、李华"),
]
TRADEMARK_COLUMNS = [
    ImportColumn("商标名称", "name", required=True, example="金陵检测", width=24),
    ImportColumn("注册号", "registration_number", required=True, help="6–10位数字。", example="61234567"),
    ImportColumn(
        "国际分类",
        "nice_class",
        kind=ColumnKind.INTEGER,
        required=True,
        help="第1–45类，填数字。",
        example=42,
    ),
    ImportColumn(
        "专用权期限起", "valid_from", kind=ColumnKind.DATE, required=True, example=datetime.date(2022, 6, 14)
    ),
    ImportColumn(
        "专用权期限止",
        "valid_until",
        kind=ColumnKind.DATE,
        required=True,
        help="应晚于期限起。",
        example=datetime.date(2032, 6, 13),
    ),
]

IP_KINDS: dict[str, IpKind] = {
    "copyright": IpKind(
        "copyright", IP_TITLES["copyright"], SoftwareCopyright, CopyrightForm, COPYRIGHT_COLUMNS
    ),
    "patent": IpKind("patent", IP_TITLES["patent"], Patent, PatentForm, PATENT_COLUMNS),
    "trademark": IpKind("trademark", IP_TITLES["trademark"], Trademark, TrademarkForm, TRADEMARK_COLUMNS),
}
