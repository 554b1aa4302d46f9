from django import forms

from sujt.core.choices import ReviewNoticeMode


class ReviewNoticeForm(forms.Form):
    """A regulator's choice of how submissions waiting for their review reach them."""

    review_mode = forms.ChoiceField(
        label="待审核事项通知方式", choices=ReviewNoticeMode.choices, widget=forms.RadioSelect
    )
