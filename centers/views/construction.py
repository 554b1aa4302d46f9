"""Temporary: replaced by the workspace views."""
from django.http import Http404

def construction_create(request, **kwargs):
    raise Http404

def construction_detail(request, **kwargs):
    raise Http404

def construction_edit(request, **kwargs):
    raise Http404

def construction_submit(request, **kwargs):
    raise Http404

def construction_withdraw(request, **kwargs):
    raise Http404
