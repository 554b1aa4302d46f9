from django.urls import path

from . import views

app_name = "institutions"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.public_detail, name="public_detail"),
]
