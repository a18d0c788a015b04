"""Putting errors where NHS.UK forms want them: on the field they are about."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_codes(error: ValidationError) -> set[str]:
    """Every code in a ValidationError, whether it is a list or keyed by field."""
    return (
        {item.code for item in error.error_list if item.code}
        if hasattr(error, "error_list")
        else {item.code for items in error.error_dict.values() for item in items if item.code}
    )


def add_service_error(form, error: ValidationError, *, default_field: str) -> None:
    """Add an error raised by a service to a form: each message on the field it names, or on
    ``default_field`` when it names none (or one the form does not have)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else default_field
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(default_field, error)


def run_service(request, form, default_field, write):
    """Call the service ``write`` with the form's data: what it returns, or None when it
    refuses, its refusal put on the form."""
    try:
        return write()
    except ValidationError as error:
        add_service_error(form, error, default_field=default_field)
        return None


class ErrorsOnFields:
    """A form mixin: an error about the whole form goes on ``errors_field`` instead, so the
    error summary links every error to a field (NHS.UK error summary)."""

    errors_field: str = ""

    def _post_clean(self):
        super()._post_clean()
        moved = self._errors.pop(NON_FIELD_ERRORS, None) if self._errors else None
        if moved:
            field = self.errors_field or next(iter(self.fields))
            self._errors.setdefault(field, self.error_class(renderer=self.renderer))
            for message in moved:
                if message not in self._errors[field]:
                    self._errors[field].append(message)
            self.cleaned_data.pop(field, None)
