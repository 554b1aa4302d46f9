"""Validators for the identifiers the platform handles.

统一社会信用代码: GB 32100-2015; 公民身份号码: GB 11643-1999; mobile numbers; CMA certificate numbers
(12 digits: YY issue year, AA issuing authority, FF field, DD supervising department, NNNN serial).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import TestingField

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"
_ID_CARD_RE = re.compile(r"^\d{17}[\dX]$")

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_CMA_RE = re.compile(r"^\d{12}$")

CMA_AUTHORITIES = {"00": "国家认证认可监督管理委员会", "10": "江苏省市场监督管理局"}
JIANGSU_AUTHORITY = "10"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    value = (value or "").strip().upper()
    if len(value) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="uscc_length")
    if not _USCC_RE.match(value):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V），第3–8位应为行政区划代码。"),
            code="uscc_chars",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="uscc_checksum")


def id_card_check_char(first17: str) -> str:
    return ID_CARD_CHECK[sum(int(c) * w for c, w in zip(first17, ID_CARD_WEIGHTS, strict=True)) % 11]


def validate_id_card(value: str) -> None:
    value = (value or "").strip().upper()
    if not _ID_CARD_RE.match(value):
        raise ValidationError(
            _("身份证号码应为18位，前17位为数字，最后一位为数字或X。"), code="id_card_format"
        )
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_card_birth")
    if id_card_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号码校验位不正确，请核对后重新输入。"), code="id_card_checksum")


def mask_id_card(value: str) -> str:
    """Shows the first 6 and last 4 characters: enough to recognise, not enough to misuse."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str) -> str:
    if not value or len(value) < 7:
        return value or ""
    return f"{value[:3]}****{value[-4:]}"


# An ID-card number or a mobile number standing alone in free text (not part of a longer number or code).
_ID_CARD_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def redact_personal_numbers(text: str) -> str:
    """`text` with every ID-card number and mobile number in it masked (mask_id_card, mask_phone): what a
    regulator wrote may be published (a disclosure on the portal), the persons' numbers may not."""
    if not text:
        return text or ""
    text = _ID_CARD_IN_TEXT.sub(lambda match: mask_id_card(match.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda match: mask_phone(match.group(0)), text)


def validate_mobile(value: str) -> None:
    if not _MOBILE_RE.match((value or "").strip()):
        raise ValidationError(_("请输入11位手机号码（以1开头，第二位为3–9）。"), code="mobile")


@dataclass(frozen=True)
class CmaNumber:
    number: str
    issue_year: int
    authority_code: str
    field_code: str
    department_code: str
    serial: str

    @property
    def authority_name(self) -> str:
        return CMA_AUTHORITIES.get(self.authority_code, f"其他发证机关（{self.authority_code}）")

    @property
    def field_name(self) -> str:
        return TestingField(self.field_code).label

    @property
    def issued_by_jiangsu(self) -> bool:
        return self.authority_code == JIANGSU_AUTHORITY


def parse_cma_number(value: str) -> CmaNumber:
    value = (value or "").strip()
    if not _CMA_RE.match(value):
        raise ValidationError(_("资质认定证书编号应为12位数字。"), code="cma_format")
    field_code = value[4:6]
    if field_code not in TestingField.values:
        raise ValidationError(
            _("资质认定证书编号第5–6位（检验检测领域代码 %(code)s）不在 00–21 范围内。"),
            code="cma_field",
            params={"code": field_code},
        )
    return CmaNumber(
        number=value,
        issue_year=2000 + int(value[0:2]),
        authority_code=value[2:4],
        field_code=field_code,
        department_code=value[6:8],
        serial=value[8:12],
    )


def validate_cma_number(value: str) -> None:
    parse_cma_number(value)
