"""Temporary: replaced by the workspace views."""
from django.http import Http404

def acceptance_create(request, **kwargs):
    raise Http404

def acceptance_detail(request, **kwargs):
    raise Http404

def acceptance_edit(request, **kwargs):
    raise Http404

def acceptance_submit(request, **kwargs):
    raise Http404

def acceptance_withdraw(request, **kwargs):
    raise Http404
