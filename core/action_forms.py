"""The form for recording how far an owned action (core.actions) has got: its state, the date
it was done (asked for under "Done"), and what was done. Each kind of action subclasses it with
its model, and may relabel the evidence or add fields (an alert action's owner)."""

from django import forms

from core.nhsuk_forms.fields import NHSDateField, radios, text_box


class ProgressForm(forms.Form):
    model = None  # the OwnedAction model whose State the radios offer

    state = radios(
        "How far has it got?",
        (),
        message="Select how far it has got",
        conditionals={"done": ["done_on"]},
    )
    done_on = NHSDateField(label="Date done", required=False, allow_future=False)
    evidence = text_box("What was done (optional)", required=False, max_length=3000)

    def __init__(self, *args, action=None, **kwargs):
        if action is not None:
            kwargs.setdefault("initial", {}).update(
                {name: getattr(action, name) for name in ("state", "done_on", "evidence")}
            )
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = self.model.State.choices
