"""PLACEHOLDER — helper C replaces this module."""

from django.http import Http404
from django.urls import path


def _todo(request, *args, **kwargs):
    raise Http404


urlpatterns = [
    path("news/", _todo, name="news_list"),
    path("laws/", _todo, name="laws_list"),
    path("notices/", _todo, name="notices_list"),
    path("articles/<int:pk>/", _todo, name="article_detail"),
    path("articles/<int:pk>/cover/", _todo, name="article_cover"),
    path("articles/<int:pk>/files/<int:file_pk>/", _todo, name="article_file"),
]
