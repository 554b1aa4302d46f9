"""The regulators' admin (监管端) for accounts: users, regulators, memberships and the login audit.

A city or district regulator sees the users of institutions in their region and the regulators of their
region; the province and superusers see everyone. Regulators read; superusers create and change.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from sujt.core.admin import KeyCheckedRelatedFieldsMixin, RegionScopedAdmin, ViewOnlyMixin
from sujt.core.admin_forms import ServiceSavedModelForm
from sujt.core.admin_tools import ExcelExportAdminMixin, HistoryAdmin, city_filter
from sujt.core.excel import ExcelColumn
from sujt.core.regions import PROVINCE_CODE, SCOPE_CHOICES, level_of, region_name
from sujt.core.scoping import in_scope
from sujt.core.validators import mask_id_card

from . import selectors, services
from .admin_account_help import AccountHelpAdminMixin, LockedOutFilter
from .forms import AdminSetPasswordForm, UserAdminChangeForm, UserAdminCreationForm
from .models import LoginEvent, Membership, Regulator, User
from .services import password_set, regulator_save


def _scope(request: HttpRequest) -> str | None:
    return getattr(request.user, "region_scope", None)


class ReadOnlyInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class UserMembershipInline(ReadOnlyInline):
    """A user's institutions, limited to the regulator's region."""

    model = Membership
    fk_name = "user"
    fields = ("institution", "role", "is_active", "created_at")
    readonly_fields = fields
    verbose_name = verbose_name_plural = "所属机构"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request).select_related("institution")
        return in_scope(queryset, _scope(request), "institution__region_code")


@admin.register(User)
class UserAdmin(
    AccountHelpAdminMixin, KeyCheckedRelatedFieldsMixin, ExcelExportAdminMixin, HistoryAdmin, DjangoUserAdmin
):
    form = UserAdminChangeForm
    change_form_template = "accounts/admin/user_change_form.html"
    actions = ["unlock_accounts", "reset_passwords"]
    add_form = UserAdminCreationForm
    change_password_form = AdminSetPasswordForm
    history_masked_fields = {"id_card_number": mask_id_card}
    list_display = (
        "phone",
        "name",
        "locked_badge",  # early: on a phone the table scrolls sideways
        "masked_id_card",
        "is_active",
        "is_staff",
        "must_change_password",
        "last_login",
    )
    list_filter = (
        "is_active",
        LockedOutFilter,
        "is_staff",
        "is_superuser",
        "must_change_password",
        "is_system",
    )
    search_fields = ("phone", "name", "email")
    ordering = ("phone",)
    filter_horizontal = ("groups", "user_permissions")
    readonly_fields = (
        "masked_id_card",
        "lock_state",
        "password_changed_at",
        "info_confirmed_at",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("phone", "password")}),
        ("个人信息", {"fields": ("name", "id_card_number", "email", "info_confirmed_at")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (
            "登录与密码",
            {
                "fields": (
                    "lock_state",
                    "must_change_password",
                    "password_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "name", "id_card_number", "email", "password1", "password2"),
            },
        ),
    )
    inlines = [UserMembershipInline]
    excel_columns = [
        ExcelColumn("手机号", "phone"),
        ExcelColumn("姓名", "name"),
        ExcelColumn("身份证号", "masked_id_card"),
        ExcelColumn("邮箱", "email"),
        ExcelColumn("启用", "is_active"),
        ExcelColumn("最近登录", "last_login"),
    ]

    def get_list_filter(self, request: HttpRequest) -> Any:
        if request.user.is_superuser:
            return self.list_filter
        # Regulators manage institution users: the platform-account switches mean nothing to them.
        return ("is_active", LockedOutFilter, "must_change_password")

    @admin.display(description="身份证号")
    def masked_id_card(self, obj: User) -> str:
        return obj.masked_id_card or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The lock state rides along as one subquery (the 已锁定 column, filter and change page).
        queryset = selectors.with_login_failures(super().get_queryset(request))
        scope = _scope(request)
        if scope == PROVINCE_CODE:
            return queryset
        return queryset.filter(pk__in=selectors.users_in_region(scope=scope).values("pk"))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request) is not None and super().has_view_permission(request, obj)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        # A new account belongs to no institution yet; memberships are added where they are managed.
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # Reading only: the ID card number masked, no password hash details.
        masked = []
        for title, options in fieldsets:
            fields = [
                "masked_id_card" if name == "id_card_number" else name
                for name in options["fields"]
                if name != "password"
            ]
            masked.append((title, {**options, "fields": fields}))
        return masked

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj._history_user = request.user
        password_set(user=obj, raw_password=form.cleaned_data["password1"], must_change=True)


class RegulatorForm(forms.ModelForm):
    region_code = forms.ChoiceField(label="管辖区域", choices=SCOPE_CHOICES)

    class Meta:
        model = Regulator
        fields = ("user", "region_code", "bureau", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None and (user.is_system or user.memberships.exists()):
            self.add_error("user", ValidationError("机构用户和系统账号不能设为监管人员。"))
        return cleaned

    def _post_clean(self) -> None:
        # The level follows from the code: 320000 the province, 32XX00 a city, otherwise a district.
        code = self.cleaned_data.get("region_code")
        if code:
            self.instance.level = level_of(code)
        super()._post_clean()


@admin.register(Regulator)
class RegulatorAdmin(RegionScopedAdmin, HistoryAdmin):
    form = RegulatorForm
    region_field = "region_code"
    list_display = ("user", "level", "region_code", "region_display", "bureau", "is_active")
    list_filter = ("level", "is_active", city_filter("region_code"))
    search_fields = ("user__phone", "user__name", "bureau", "region_code")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)

    @admin.display(description="区域名称")
    def region_display(self, obj: Regulator) -> str:
        return region_name(obj.region_code)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: Regulator, form: Any, change: bool) -> None:
        obj._history_user = request.user
        regulator_save(regulator=obj)


class MembershipAdminForm(ServiceSavedModelForm):
    """A membership's role and 启用 in admin, saved through the same services as user management: the
    "keep one active admin" rule and its lock live there once, so two people editing two admins at once
    cannot both remove "the other" one."""

    class Meta:
        model = Membership
        fields = ("role", "is_active")

    def store(self) -> None:
        membership = Membership.objects.select_related("user", "institution").get(pk=self.instance.pk)
        role, active = self.cleaned_data["role"], self.cleaned_data["is_active"]
        with transaction.atomic():
            if role != membership.role:
                membership = services.membership_update(
                    membership=membership,
                    by=self.saved_by,
                    role=role,
                    perms=selectors.module_perms_of(membership=membership),
                )
            if active != membership.is_active:
                action = services.membership_enable if active else services.membership_disable
                action(membership=membership, by=self.saved_by)
        self.instance.refresh_from_db()


@admin.register(Membership)
class MembershipAdmin(RegionScopedAdmin, HistoryAdmin):
    """Memberships are created by institutions (user management, accepted invitations) and by the
    qualification sync, never here; admin changes a role or 启用 through the services."""

    form = MembershipAdminForm
    region_field = "institution__region_code"
    list_display = ("user", "institution", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", city_filter("institution__region_code"))
    search_fields = ("user__phone", "user__name", "institution__name", "institution__uscc")
    list_select_related = ("user", "institution")
    fields = ("user", "institution", "role", "is_active", "created_at", "created_by")
    readonly_fields = ("user", "institution", "created_at", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.saved_by = request.user
        return form

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        """Stored by the form's service call (MembershipAdminForm.store)."""


@admin.register(LoginEvent)
class LoginEventAdmin(ViewOnlyMixin, KeyCheckedRelatedFieldsMixin, ExcelExportAdminMixin, admin.ModelAdmin):
    """The login audit: read-only, never deleted."""

    list_display = ("created_at", "kind", "phone", "user", "by", "ip_address", "browser")
    list_filter = ("kind",)
    date_hierarchy = "created_at"
    search_fields = ("phone", "ip_address", "user__name")
    list_select_related = ("user", "by")
    list_per_page = 50
    excel_columns = [
        ExcelColumn("时间", "created_at"),
        ExcelColumn("事件", "get_kind_display"),
        ExcelColumn("账号", "phone"),
        ExcelColumn("用户姓名", "user.name"),
        ExcelColumn("IP", "ip_address"),
        ExcelColumn("浏览器", "user_agent", width=60),
        ExcelColumn("操作人", "by"),
    ]
    excel_select_related = ("user", "by")

    @admin.display(description="浏览器")
    def browser(self, obj: LoginEvent) -> str:
        agent = obj.user_agent or "—"
        return agent if len(agent) <= 40 else f"{agent[:40]}…"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        scope = _scope(request)
        if scope == PROVINCE_CODE:
            return queryset
        return queryset.filter(user__in=selectors.users_in_region(scope=scope).values("pk"))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _scope(request) is not None and super().has_view_permission(request, obj)


# Last, so that axes' records follow the accounts' own pages in the sidebar.
from . import admin_axes  # noqa: E402, F401
