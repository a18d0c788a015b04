"""Form pages, and putting errors where NHS.UK forms want them: on the field they are about.

``form_page`` is every form page's round: show the form; on a valid POST call the service; when
it writes, say so and go on; when it refuses, show why, with everything typed kept."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render

# The code of a service's refusal to do again what is done already (a second press): the
# services' own ALREADY constants are this word.
ALREADY = "already"


def error_codes(error: ValidationError) -> set[str]:
    """Every code in a ValidationError, whether it is a list or keyed by field."""
    return (
        {item.code for item in error.error_list if item.code}
        if hasattr(error, "error_list")
        else {item.code for items in error.error_dict.values() for item in items if item.code}
    )


def show_refusal(form, error: ValidationError, field: str | None = None) -> None:
    """Show a service's refusal on its form, one way everywhere: each message on the field it
    names; else on ``field`` (the one the refusal concerns), or the form's ``errors_field``;
    else in the error summary."""
    default = field or getattr(form, "errors_field", "") or None
    if default not in form.fields:  # a field this form leaves out: the error summary
        default = None
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else default
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(default, error)


def submitted(request):
    """The data a form is bound to: what was sent with a POST, else none (an unbound form)."""
    return request.POST if request.method == "POST" else None


def form_page(
    request,
    form,
    template: str = "",
    context: dict | None = None,
    *,
    save: Callable[[dict], Any],
    saved: str | Callable[[Any], str] = "",
    then: str | Callable[[Any], Any] | None = None,
    refusal_field: str | None = None,
    page: Callable | None = None,
):
    """The round of a form page.

    - ``save(data)`` calls the service with the form's cleaned data and returns what it wrote.
    - ``saved``: the message that says it was done (or a function of what was written).
    - ``then``: where to go next: an address, a model, or a function of what was written giving
      one; by default what was written (a model with an address of its own).
    - ``refusal_field``: the field a refusal concerns when the service names none.
    - The page showing the form: ``template`` with ``context`` and ``form``, or ``page(form)``.

    A refusal coded ``already`` (what the form asks is done already: a second press of its
    button, a reload that sent it again, another tab) is news, not an error: it is said on the
    page ``then`` names (an address or a model), where the first press would have led.
    """
    if request.method == "POST" and form.is_valid():
        try:
            written = save(form.cleaned_data)
        except ValidationError as error:
            if ALREADY in error_codes(error) and then is not None and not callable(then):
                messages.info(request, error.messages[0])
                return redirect(then)
            show_refusal(form, error, refusal_field)
        else:
            message = saved(written) if callable(saved) else saved
            if message:
                messages.success(request, message)
            return redirect(then(written) if callable(then) else then or written)
    if page is not None:
        return page(form)
    return render(request, template, {**(context or {}), "form": form})


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


class FromAddress(forms.Form):
    """A form read from a page's address (what a list or a figure shows): a value it does not
    offer is read as the first it does, never an error page."""

    def offered(self, name: str) -> str:
        offered = [str(code) for code, _ in self.fields[name].choices]
        value = self.data.get(name, offered[0])
        return value if value in offered else offered[0]
