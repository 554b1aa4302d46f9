"""PLACEHOLDER — helper A replaces this module."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("news/submissions/", _todo, name="submission_list"),
    path("news/submissions/add/", _todo, name="submission_add"),
    path("news/submissions/<int:pk>/", _todo, name="submission_detail"),
    path("news/submissions/<int:pk>/edit/", _todo, name="submission_edit"),
    path("news/submissions/<int:pk>/submit/", _todo, name="submission_submit"),
    path("news/submissions/<int:pk>/withdraw/", _todo, name="submission_withdraw"),
    path("news/submissions/<int:pk>/delete/", _todo, name="submission_delete"),
]
