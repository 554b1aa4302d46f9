"""Admin forms whose object a service stores, so that admin writes go through the same rules as the
workspace (DESIGN: "Admin writes through services too").

A ServiceSavedModelForm hands its cleaned values to a service as the last step of its own validation;
a refusal the service makes (a rule over several rows, a state changed meanwhile) comes back as an error
on the re-rendered form, with nothing saved. `save()` then only returns the stored object and the
ModelAdmin's `save_model` does nothing.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .workflow import InvalidTransition


class ServiceSavedModelForm(forms.ModelForm):
    """A ModelForm whose instance a service stores as the last step of validation (see the module doc).

    `saved_by` is set by the ModelAdmin's `get_form` (the regulator saving). Subclasses implement
    `store()`; a ValidationError or InvalidTransition it raises becomes this form's errors.
    """

    saved_by: Any = None
    # Subclasses define `store(self) -> None`, which calls the service with the cleaned values.

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or self._errors:
            return
        try:
            self.store()
        except InvalidTransition as error:
            self.add_error(None, error.message)
        except ValidationError as error:
            self._add_service_error(error)
        else:
            return
        if self.instance.pk is not None:
            # The service's transaction rolled back; the object in memory must not keep its changes
            # (e.g. the id of a cover that was never stored), since the page shows it again.
            self.instance.refresh_from_db()

    def _add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)

    def save(self, commit: bool = True) -> Any:
        if self.errors:
            raise ValueError("the form did not validate; nothing was stored")
        self.save_m2m = lambda: None
        return self.instance
