from django.contrib import admin

from sujt.core.admin import RegionScopedAdmin, ReviewAdminMixin

from .models import Report, Submission


@admin.register(Submission)
class SubmissionAdmin(ReviewAdminMixin, RegionScopedAdmin):
    region_field = "institution__region_code"
    list_display = ["title", "institution", "status", "submitted_at"]
    list_select_related = ["institution"]
    search_fields = ["title", "institution__name"]


@admin.register(Report)
class ReportAdmin(ReviewAdminMixin, RegionScopedAdmin):
    region_field = "institution__region_code"
    list_display = ["title", "institution", "status", "submitted_at"]
    list_select_related = ["institution"]
