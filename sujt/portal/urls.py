from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/preference/", views.notification_preference, name="notification_preference"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("help/", views.help_page, name="help"),
    path("help/manual/", views.manual_download, name="manual_download"),
    path("display/", views.a11y_toggle, name="a11y"),
    path("healthz", views.healthz, name="healthz"),
]
