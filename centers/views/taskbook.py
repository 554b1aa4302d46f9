"""Temporary: replaced by the workspace views."""
from django.http import Http404

def taskbook_change(request, **kwargs):
    raise Http404

def taskbook_create(request, **kwargs):
    raise Http404

def taskbook_detail(request, **kwargs):
    raise Http404

def taskbook_edit(request, **kwargs):
    raise Http404

def taskbook_submit(request, **kwargs):
    raise Http404

def taskbook_withdraw(request, **kwargs):
    raise Http404
