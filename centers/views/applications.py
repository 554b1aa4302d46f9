"""Temporary: replaced by the workspace views."""
from django.http import Http404

def application_list(request, **kwargs):
    raise Http404
