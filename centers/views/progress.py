"""Temporary: replaced by the workspace views."""
from django.http import Http404

def progress_create(request, **kwargs):
    raise Http404

def progress_detail(request, **kwargs):
    raise Http404

def progress_edit(request, **kwargs):
    raise Http404

def progress_submit(request, **kwargs):
    raise Http404

def progress_withdraw(request, **kwargs):
    raise Http404
