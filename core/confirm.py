"""Destructive steps ask first.

A button that takes something away (withdraws a request, deletes a draft, removes a record)
posts to its view as before; the view calls ``confirm_first``, which answers that first POST
with a page asking the question, the fields the button sent kept as hidden inputs. Its warning
button sends them again with ``confirmed``, and only then does the view act. No script is
needed, the view keeps its one method and its access rules, and a stray click loses nothing."""

from django.shortcuts import render

CONFIRMED = "confirmed"
_NOT_KEPT = {"csrfmiddlewaretoken", CONFIRMED}


def confirm_first(
    request,
    *,
    question: str,
    button: str,
    back: str,
    detail: str = "",
    caption: str = "",
):
    """The page asking ``question`` (with ``detail``, what follows from it), or None once the
    person has said yes. ``back``: where "Cancel" and the back link go."""
    if request.POST.get(CONFIRMED) == "yes":
        return None
    kept = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_KEPT
        for value in values
    ]
    return render(
        request,
        "confirm.html",
        {
            "question": question,
            "detail": detail,
            "caption": caption,
            "button": button,
            "back": back,
            "kept": kept,
            "confirmed": CONFIRMED,
        },
    )
