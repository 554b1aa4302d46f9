"""Temporary: replaced by the workspace views."""
from django.http import Http404

def center_detail(request, **kwargs):
    raise Http404

def file_download(request, **kwargs):
    raise Http404

def views(request, **kwargs):
    raise Http404
