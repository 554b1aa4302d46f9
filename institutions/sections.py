"""The sections of module 02 (机构风采管理), declared once.

A section is one kind of data the institution keeps on its profile: its key (tab key and count key), its
one title (the tab, the overview's figure, the list page, 确认机构信息 and error reports all say the same),
the models whose rows it counts, the selector of the institution's visible rows, its list page, and
the error-report item type when the data is synced from the approval system (the institution checks it
and reports errors in it; it cannot edit it).

The tabs (views/tabs.py), the overview's figures and counts (selectors/workspace.py), 确认机构信息
(views/confirmation.py, selectors/confirmation.py), completeness (services/completeness.py) and the
list declarations (lists.py) read this registry instead of keeping tables of their own.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from .choices import ErrorItemType
from .models import Capability, Certificate, Equipment, Personnel, Signatory, Site
from .selectors import qualification
from .selectors.ip import IP_MODELS


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    # What the section counts, by count key: one model under the section's own key, or several parts
    # (知识产权: copyright, patent, trademark), each counted under its own key and summed under `key`.
    parts: Mapping[str, type[Model]]
    url_name: str
    selector: Callable[..., QuerySet] | None = None  # selector(institution_id=...): the visible rows
    item_type: str = ""  # ErrorItemType of synced data; "" for data the institution keeps itself

    @property
    def model(self) -> type[Model]:
        """The model of a one-model section (the first part of a section of several)."""
        return next(iter(self.parts.values()))

    @property
    def synced(self) -> bool:
        return bool(self.item_type)


def _synced(
    key: str, title: str, model: type[Model], list_name: str, selector: Callable[..., QuerySet]
) -> Section:
    """A section of data synced from the approval system; its error-report item type is named like it."""
    item_type = ErrorItemType(model._meta.model_name)
    return Section(key, title, {key: model}, f"institutions:{list_name}", selector, item_type)


SECTIONS: tuple[Section, ...] = (
    _synced("certificates", "资质证书", Certificate, "certificate_list", qualification.certificates_of),
    _synced("sites", "检验检测场所", Site, "site_list", qualification.sites_of),
    _synced("capabilities", "检验检测能力", Capability, "capability_list", qualification.capabilities_of),
    _synced("equipment", "仪器设备", Equipment, "equipment_list", qualification.equipment_of),
    _synced("signatories", "授权签字人", Signatory, "signatory_list", qualification.signatories_of),
    _synced("personnel", "检验检测人员", Personnel, "personnel_list", qualification.personnel_of),
    Section("ip", "知识产权", dict(IP_MODELS), "institutions:ip_list"),
)
SECTIONS_BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
# The sections an error report may point into, by item type (基础信息 is free text, not a section).
SECTIONS_BY_ITEM_TYPE: dict[str, Section] = {
    section.item_type: section for section in SECTIONS if section.synced
}


def section(key: str) -> Section:
    return SECTIONS_BY_KEY[key]
