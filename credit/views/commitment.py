"""信用承诺书 in the workspace: this year's letter (the deadline, days left or overdue, K01), its upload,
the earlier years' letters, and the letter's text to print, sign and stamp (下载模板)."""

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sujt.core.forms import ContentCheckedFileField, service_errors_add
from sujt.core.views import private_file_response

from .. import letters
from ..access import credit_member_required

logger = logging.getLogger(__name__)


class LetterUploadForm(forms.Form):
    file = ContentCheckedFileField(
        rule=letters.LETTER_RULE,
        label="签字盖章的信用承诺书",
        error_messages={"required": "请选择要上传的信用承诺书文件。", "empty": "文件为空，请重新选择。"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@credit_member_required
def commitment(request: HttpRequest) -> HttpResponse:
    institution = request.institution
    # Bound on every POST, even one without a file: pressing 上传 with nothing chosen must say so.
    form = LetterUploadForm(request.POST, request.FILES) if request.method == "POST" else LetterUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            letter = letters.letter_upload(
                institution=institution, file=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            messages.success(request, f"{letter.year} 年度信用承诺书已上传。")
            return HttpResponseRedirect(reverse("credit:commitment"))
    current = letters.letter_of_year(institution=institution)
    context = {
        "current": current,
        "earlier": letters.letters_earlier(institution=institution, year=current.year),
        "form": form,
        "k01_points": letters.missing_letter_points(),
    }
    return render(request, "credit/workspace/commitment.html", context, status=400 if form.errors else 200)


@require_safe
@credit_member_required
def commitment_template(request: HttpRequest) -> HttpResponse:
    """The letter's text with the institution and the year filled in, to print, sign and stamp."""
    year = timezone.localdate().year
    context = {"institution": request.institution, "year": year, "due_on": letters.commitment_due(year=year)}
    return render(request, "credit/workspace/commitment_letter.html", context)


@require_safe
@credit_member_required
def commitment_file(request: HttpRequest, pk: int) -> FileResponse:
    """A letter's file, to the institution's members with manage_credit only (another institution's
    letter is a 404)."""
    letter = letters.letter_get(institution=request.institution, pk=pk)
    return private_file_response(letters.letter_file(letter=letter))


urlpatterns = [
    path("commitment/", commitment, name="commitment"),
    path("commitment/template/", commitment_template, name="commitment_template"),
    path("commitment/<int:pk>/file/", commitment_file, name="commitment_file"),
]
