"""Intellectual property the institution maintains (知识产权): software copyrights, patents, trademarks.

One list page with a tab per kind (with counts); per kind K: K_add, K_edit, K_delete (a confirmation
page, then POST), K_template (the import template), K_import (all-or-nothing) and K_export (the filtered
rows, in the template's columns so that an export reads back in). The list of each kind and its export
are declared in institutions/lists.py (IP_LISTS) and served by the core's list and export views.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from sujt.accounts.decorators import institution_required
from sujt.core.excel_import import BLANK_ROW_ALLOWANCE, xlsx_template_response
from sujt.core.list_views import export_view, list_response

from ..forms.ip import IP_KINDS, IpImportForm, IpKind
from ..lists import IP_LISTS
from ..selectors import ip as selectors
from ..selectors.workspace import profile_counts
from ..services import ip as services
from .tabs import profile_tabs

PAGE_SIZE = 20
# URL segment of each kind.
KIND_SLUGS = {"copyright": "copyrights", "patent": "patents", "trademark": "trademarks"}
TEMPLATE_NOTES = {
    "copyright": ("登记号在本机构内不能重复。",),
    "patent": ("专利号在本机构内不能重复；专利类型应与专利号第7位一致。",),
    "trademark": ("同一注册号在同一国际分类下只能登记一次。",),
}

manage_profile = institution_required("manage_profile")
get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def _list_url(kind: str) -> str:
    return f"{reverse('institutions:ip_list')}?{urlencode({'kind': kind})}"


def _base_context(spec: IpKind) -> dict:
    return {"tabs": profile_tabs("ip"), "spec": spec, "kind": spec.key, "list_url": _list_url(spec.key)}


@require_safe
@manage_profile
def ip_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in IP_KINDS:
        kind = "copyright"
    counts = profile_counts(institution_id=request.institution.pk)
    kinds = [
        {"key": key, "title": item.title, "count": counts[key], "url": _list_url(key), "active": key == kind}
        for key, item in IP_KINDS.items()
    ]
    return list_response(
        request,
        IP_LISTS[kind],
        export_url=reverse(f"institutions:{kind}_export"),
        context={**_base_context(IP_KINDS[kind]), "kinds": kinds, "total": counts["ip"]},
    )


def _form_page(request: HttpRequest, spec: IpKind, form, obj=None) -> HttpResponse:
    return render(request, "institutions/ip/form.html", {**_base_context(spec), "form": form, "obj": obj})


@get_or_post
@manage_profile
def ip_add(request: HttpRequest, kind: str) -> HttpResponse:
    spec = IP_KINDS[kind]
    form = spec.form_class(request.POST or None, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.ip_create(obj=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已添加{spec.title}“{obj}”。")
            return redirect(_list_url(kind))
    return _form_page(request, spec, form)


@get_or_post
@manage_profile
def ip_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = IP_KINDS[kind]
    obj = selectors.ip_get(institution_id=request.institution.pk, kind=kind, pk=pk)
    form = spec.form_class(request.POST or None, instance=obj, institution=request.institution)
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.ip_update(obj=form.save(commit=False), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存{spec.title}“{obj}”。")
            return redirect(_list_url(kind))
    return _form_page(request, spec, form, obj=obj)


@get_or_post
@manage_profile
def ip_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = IP_KINDS[kind]
    obj = selectors.ip_get(institution_id=request.institution.pk, kind=kind, pk=pk)
    if request.method == "POST":
        name = str(obj)
        services.ip_delete(obj=obj, by=request.user)
        messages.success(request, f"已删除{spec.title}“{name}”。")
        return redirect(_list_url(kind))
    return render(request, "institutions/ip/confirm_delete.html", {**_base_context(spec), "obj": obj})


@require_safe
@manage_profile
def ip_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = IP_KINDS[kind]
    return xlsx_template_response(
        filename=f"{spec.title}导入模板.xlsx",
        sheet_title=spec.title,
        columns=spec.columns,
        notes=TEMPLATE_NOTES[kind],
        max_rows=services.IMPORT_MAX_ROWS,
    )


@get_or_post
@manage_profile
def ip_import(request: HttpRequest, kind: str) -> HttpResponse:
    spec = IP_KINDS[kind]
    form = IpImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.ip_import(
                kind=kind, institution=request.institution, file=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if result.ok:
                messages.success(request, f"已导入 {len(result.rows)} 条{spec.title}。")
                return redirect(_list_url(kind))
    return render(
        request,
        "institutions/ip/import.html",
        {
            **_base_context(spec),
            "form": form,
            "result": result,
            "max_rows": services.IMPORT_MAX_ROWS,
            "sheet_rows": services.IMPORT_MAX_ROWS + BLANK_ROW_ALLOWANCE,
        },
    )


urlpatterns = [path("profile/ip/", ip_list, name="ip_list")]
for _kind, _slug in KIND_SLUGS.items():
    _prefix, _kwargs = f"profile/ip/{_slug}/", {"kind": _kind}
    urlpatterns += [
        path(f"{_prefix}add/", ip_add, _kwargs, name=f"{_kind}_add"),
        path(f"{_prefix}<int:pk>/edit/", ip_edit, _kwargs, name=f"{_kind}_edit"),
        path(f"{_prefix}<int:pk>/delete/", ip_delete, _kwargs, name=f"{_kind}_delete"),
        path(f"{_prefix}template/", ip_template, _kwargs, name=f"{_kind}_template"),
        path(f"{_prefix}import/", ip_import, _kwargs, name=f"{_kind}_import"),
        path(f"{_prefix}export/", export_view(IP_LISTS[_kind]), name=f"{_kind}_export"),
    ]
