"""Form fields that turn a posted id no row can have into a form error (sujt.core.forms).

The single choice in the admin's autocomplete widget is tested through the admin in
tests/institutions/test_admin.py; here the multiple choice, whose IN query is where SQLite overflows.
"""

import pytest
from django import forms

from institutions.models import Institution
from sujt.core.forms import KeyCheckedModelChoiceField, KeyCheckedModelMultipleChoiceField

# Letters, a fraction, thirty digits, one past the largest 64-bit integer.
IMPOSSIBLE = ["abc", "1.5", "1" * 30, str(2**63)]


class PickForm(forms.Form):
    one = KeyCheckedModelChoiceField(queryset=Institution.objects.all(), required=False)
    many = KeyCheckedModelMultipleChoiceField(queryset=Institution.objects.all(), required=False)


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_an_impossible_key_among_many_is_an_error_naming_it(institution, value):
    form = PickForm(data={"one": "", "many": [str(institution.pk), value]})
    assert not form.is_valid()
    assert value in form.errors["many"][0]
    str(form["many"])  # renders


def test_existing_keys_still_choose_their_rows(institution, other_institution):
    both = [str(institution.pk), str(other_institution.pk)]
    form = PickForm(data={"one": str(institution.pk), "many": both})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] == institution
    assert set(form.cleaned_data["many"]) == {institution, other_institution}
    assert not PickForm(data={"one": str(other_institution.pk + 1000)}).is_valid()
