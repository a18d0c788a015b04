"""What waits for a person in networks (core.waiting): the items of a network's workplan they
own."""

from core.waiting import ActionKind, Owned

from .models import WorkplanItem


def _my_items(user):
    return WorkplanItem.objects.open().filter(owner=user).select_related("network")


def _describe(item: WorkplanItem) -> Owned:
    return Owned(
        what=item.title,
        of=f"The workplan of {item.network.name}",
        due_on=item.due_on,
        url=item.get_absolute_url(),
    )


ACTIONS = [ActionKind("workplan", "workplan item", "workplan items", _my_items, _describe)]
