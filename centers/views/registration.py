"""Temporary: replaced by the workspace views."""
from django.http import Http404

def registration_create(request, **kwargs):
    raise Http404

def registration_detail(request, **kwargs):
    raise Http404

def registration_edit(request, **kwargs):
    raise Http404

def registration_submit(request, **kwargs):
    raise Http404

def registration_withdraw(request, **kwargs):
    raise Http404
