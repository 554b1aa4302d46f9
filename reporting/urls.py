"""/reports/: modules 07 and 08 in the workspace (reporting.views)."""

from django.urls import path

from sujt.core.list_views import list_urls

from . import views
from .lists import CENTER_REPORTS, INSTITUTION_REPORTS

app_name = "reporting"
urlpatterns = [
    *list_urls(INSTITUTION_REPORTS, path_prefix="", name="list", export_name="export"),
    *list_urls(CENTER_REPORTS, path_prefix="centers/", name="center_list", export_name="center_export"),
    path("<int:pk>/", views.assignment_detail, name="assignment_detail"),
]
