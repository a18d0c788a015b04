"""The new MSO's own work on their getting-started checklist (networks/getting_started.py), as
the apps contribute it at start-up: each adds its items with ``work_item`` (in its
AppConfig.ready), in the order shown. An item ticks itself where the app can tell it is under
way (``done_if``), and is ticked by hand otherwise."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkItem:
    position: int  # where it stands among the MSO's own work
    key: str  # kept with a tick by hand: never change it
    text: str
    # (user, organisation) -> an Exists that holds once it is done; None: ticked by hand.
    done_if: Callable | None = None
    url_name: str = ""
    link_text: str = ""
    note: str = ""  # shown until it is done


WORK_ITEMS: list[WorkItem] = []


def work_item(item: WorkItem) -> WorkItem:
    if any(kept.key == item.key and kept != item for kept in WORK_ITEMS):
        raise ValueError(f"{item.key}: two getting-started items have this key")
    if item not in WORK_ITEMS:
        WORK_ITEMS.append(item)
        WORK_ITEMS.sort(key=lambda kept: kept.position)
    return item
