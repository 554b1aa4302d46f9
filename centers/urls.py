"""/centers/: module 04 in the workspace (centers.views)."""

from django.urls import path

from sujt.core.list_views import list_urls

from .lists import CENTERS
from .views import acceptance, applications, centers, construction, progress, registration, taskbook

app_name = "centers"
urlpatterns = [
    *list_urls(CENTERS, path_prefix="", name="center_list", export_name="center_export"),
    path("<int:pk>/", centers.center_detail, name="center_detail"),
    path("applications/", applications.application_list, name="application_list"),
    path("files/<int:pk>/", centers.file_download, name="file"),
    # 筹建申请
    path("construction/new/", construction.construction_create, name="construction_create"),
    path("construction/<int:pk>/", construction.construction_detail, name="construction_detail"),
    path("construction/<int:pk>/edit/", construction.construction_edit, name="construction_edit"),
    path("construction/<int:pk>/submit/", construction.construction_submit, name="construction_submit"),
    path("construction/<int:pk>/withdraw/", construction.construction_withdraw, name="construction_withdraw"),
    # 系统外中心登记
    path("registrations/new/", registration.registration_create, name="registration_create"),
    path("registrations/<int:pk>/", registration.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/edit/", registration.registration_edit, name="registration_edit"),
    path("registrations/<int:pk>/submit/", registration.registration_submit, name="registration_submit"),
    path(
        "registrations/<int:pk>/withdraw/", registration.registration_withdraw, name="registration_withdraw"
    ),
    # 任务书 and 任务书变更申请
    path("<int:pk>/task-book/new/", taskbook.taskbook_create, name="taskbook_create"),
    path("<int:pk>/task-book/change/", taskbook.taskbook_change, name="taskbook_change"),
    path("task-books/<int:pk>/", taskbook.taskbook_detail, name="taskbook_detail"),
    path("task-books/<int:pk>/edit/", taskbook.taskbook_edit, name="taskbook_edit"),
    path("task-books/<int:pk>/submit/", taskbook.taskbook_submit, name="taskbook_submit"),
    path("task-books/<int:pk>/withdraw/", taskbook.taskbook_withdraw, name="taskbook_withdraw"),
    # 筹建进展
    path("<int:pk>/progress/new/", progress.progress_create, name="progress_create"),
    path("progress/<int:pk>/", progress.progress_detail, name="progress_detail"),
    path("progress/<int:pk>/edit/", progress.progress_edit, name="progress_edit"),
    path("progress/<int:pk>/submit/", progress.progress_submit, name="progress_submit"),
    path("progress/<int:pk>/withdraw/", progress.progress_withdraw, name="progress_withdraw"),
    # 验收申请
    path("<int:pk>/acceptance/new/", acceptance.acceptance_create, name="acceptance_create"),
    path("acceptance/<int:pk>/", acceptance.acceptance_detail, name="acceptance_detail"),
    path("acceptance/<int:pk>/edit/", acceptance.acceptance_edit, name="acceptance_edit"),
    path("acceptance/<int:pk>/submit/", acceptance.acceptance_submit, name="acceptance_submit"),
    path("acceptance/<int:pk>/withdraw/", acceptance.acceptance_withdraw, name="acceptance_withdraw"),
]
