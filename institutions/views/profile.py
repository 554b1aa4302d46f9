"""概览 and 完善信息 of module 02 (机构风采管理): the current institution's profile and its completeness."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse

from sujt.accounts.decorators import institution_required

from ..forms.profile import ProfileForm
from ..sections import SECTIONS
from ..selectors.workspace import profile_counts, profile_institution_get
from ..services.completeness import BASIC, EXTRA, OTHER, CompletenessItem, completeness_items
from ..services.profile import profile_update
from .tabs import profile_tabs

COMPLETENESS_GROUPS = (BASIC, EXTRA, OTHER)

# The overview's figures: one per section, in the order of the module's tabs.
COUNT_LINKS: tuple[tuple[str, str, str], ...] = tuple(
    (section.key, section.title, section.url_name) for section in SECTIONS
)


@dataclass(frozen=True)
class Figure:
    title: str
    count: int
    url: str


@dataclass(frozen=True)
class ItemGroup:
    title: str
    items: list[CompletenessItem]
    done_weight: int
    total_weight: int


def _url_or_blank(url_name: str) -> str:
    """The page's URL, or "" while the area that serves it is not installed."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def _groups(items: list[CompletenessItem]) -> list[ItemGroup]:
    groups = []
    for title in COMPLETENESS_GROUPS:
        members = [item for item in items if item.group == title]
        if members:
            groups.append(
                ItemGroup(
                    title=title,
                    items=members,
                    done_weight=sum(item.weight for item in members if item.done),
                    total_weight=sum(item.weight for item in members),
                )
            )
    return groups


@institution_required("manage_profile")
def overview(request: HttpRequest) -> HttpResponse:
    institution = profile_institution_get(institution_id=request.institution.pk)
    items = completeness_items(institution=institution)
    counts = profile_counts(institution_id=institution.pk)
    return render(
        request,
        "institutions/profile/overview.html",
        {
            "tabs": profile_tabs("overview"),
            "institution": institution,
            "score": sum(item.weight for item in items if item.done),
            "groups": _groups(items),
            "missing": sum(1 for item in items if not item.done),
            "figures": [
                Figure(title=title, count=counts[key], url=_url_or_blank(url_name))
                for key, title, url_name in COUNT_LINKS
            ],
            "confirm_url": _url_or_blank("institutions:confirm"),
        },
    )


@institution_required("manage_profile")
def profile_edit(request: HttpRequest) -> HttpResponse:
    institution = profile_institution_get(institution_id=request.institution.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=institution)
        if form.is_valid():
            try:
                updated = profile_update(
                    institution=institution,
                    by=request.user,
                    data=form.profile_data(),
                    logo=form.cleaned_data.get("logo"),
                    high_tech_certificate=form.cleaned_data.get("high_tech_certificate"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"完善信息已保存，当前信息完整度为 {updated.completeness}%。")
                return redirect("institutions:overview")
        if form.errors:
            messages.error(request, "完善信息未保存，请按提示修改后重新提交。")
        # Whatever the form did to the instance while validating, the page shows what is stored.
        institution = profile_institution_get(institution_id=request.institution.pk)
    else:
        form = ProfileForm(instance=institution)
    return render(
        request,
        "institutions/profile/edit.html",
        {"tabs": profile_tabs("profile"), "institution": institution, "form": form},
    )


urlpatterns = [
    path("profile/", overview, name="overview"),
    path("profile/edit/", profile_edit, name="profile_edit"),
]
