"""A person's actions: everything they own that is still to do (an incident's action, a
committee's, an alert's, a handover item, a workplan item: core.waiting.ACTIONS), due within a
week or overdue, overdue, or all of them, of one kind or every kind; each links to the page
where it is done. The home page counts them with the same querysets (``waiting``). It gathers
several apps, so it belongs to the project."""

from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.actions import DUE_SOON_DAYS
from core.http import allow
from core.waiting import ACTIONS, ActionKind, Counted

# What the page shows of each kind at most (a person owns a few dozen at most).
MOST = 200

SHOWS = {
    "due": f"Due within {DUE_SOON_DAYS} days or overdue",
    "overdue": "Overdue",
    "open": "All still to do",
}


class ShowForm(forms.Form):
    """The page's filters, from its address: anything else is left out, never an error."""

    show = forms.ChoiceField(choices=list(SHOWS.items()), required=False)
    kind = forms.CharField(required=False, max_length=20)

    def values(self) -> tuple[str, str]:
        data = self.cleaned_data if self.is_valid() else {}
        keys = {kind.key for kind in ACTIONS}
        kind = data.get("kind") or ""
        return data.get("show") or "due", kind if kind in keys else ""


def shown(kind: ActionKind, user, show: str, on=None):
    """The person's actions of ``kind`` that the page shows with ``show``, soonest first."""
    on = on or timezone.localdate()
    rows = kind.mine(user)
    if show == "due":
        rows = rows.falling_due(on)
    elif show == "overdue":
        rows = rows.overdue(on)
    return rows.order_by(rows.model.due_path, "pk")


def address(show: str, kind: str = "") -> str:
    query = f"show={show}" + (f"&kind={kind}" if kind else "")
    return f"{reverse('actions')}?{query}"


def waiting(user) -> list[Counted]:
    """For the home page (core.waiting.waiting_for counts them): of each kind, what this page
    shows as due within a week or overdue, linking to them."""
    return [
        Counted(
            f"{kind.one} due within {DUE_SOON_DAYS} days or overdue",
            f"{kind.many} due within {DUE_SOON_DAYS} days or overdue",
            shown(kind, user, "due"),
            address("due", kind.key),
        )
        for kind in ACTIONS
    ]


@dataclass
class Section:
    kind: ActionKind
    rows: list
    more: bool


@allow("GET")
def actions(request):
    form = ShowForm(request.GET or None)
    show, chosen = form.values()
    today = timezone.localdate()
    sections = []
    for kind in ACTIONS:
        if chosen and kind.key != chosen:
            continue
        rows = list(shown(kind, request.user, show, today)[: MOST + 1])
        described = [kind.describe(row) for row in rows[:MOST]]
        sections.append(Section(kind, described, len(rows) > MOST))
    context = {
        "sections": sections,
        "show": show,
        "chosen": chosen,
        "shows": [(value, text, address(value, chosen)) for value, text in SHOWS.items()],
        "kinds": [("", "Every kind", address(show))]
        + [(kind.key, kind.many.capitalize(), address(show, kind.key)) for kind in ACTIONS],
        "today": today,
        "total": sum(len(section.rows) for section in sections),
    }
    return render(request, "actions/action_list.html", context)
