"""What waits for a person on the ground floor (core.waiting): the changes to the register
waiting for a decision, for those who decide them (a network lead; the national patient safety
team for Patient Safety Specialists), counted as the list of changes shows them with the
filter its link gives; and the handover items they own."""

from django.urls import reverse

from core.waiting import ActionKind, Counted, Owned

from .access import access_for
from .models import ChangeRequest, HandoverItem
from .permissions import Perm


def changes_to_decide(user, organisation):
    access = access_for(user)
    register = access.has_anywhere(Perm.CHANGES_DECIDE)
    specialists = access.has_anywhere(Perm.SPECIALISTS_DECIDE)
    if not (register or specialists):
        return []
    if register and specialists:
        what = (
            "change to the register or Patient Safety Specialist",
            "changes to the register or Patient Safety Specialists",
        )
    elif register:
        what = "change to the register", "changes to the register"
    else:
        what = "Patient Safety Specialist identified", "Patient Safety Specialists identified"
    # The list of changes shows whatever the person may see (views.change_requests).
    return [
        Counted(
            f"{what[0]} waiting for a decision",
            f"{what[1]} waiting for a decision",
            ChangeRequest.objects.visible_to(user).pending(),
            f"{reverse('register:changes')}?status={ChangeRequest.Status.PENDING}",
        )
    ]


PROVIDERS = [changes_to_decide]


def _my_items(user):
    return (
        HandoverItem.objects.visible_to(user)
        .open()
        .filter(
            owner=user,
            handover__completed_at__isnull=True,
            handover__cancelled_at__isnull=True,
        )
        .select_related("handover__organisation", "handover__appointment")
    )


def _describe(item: HandoverItem) -> Owned:
    handover = item.handover
    return Owned(
        what=item.get_task_display(),
        of=f"The handover of {handover.appointment.holder_name} as MSO of "
        f"{handover.organisation.name}",
        due_on=item.due_on,
        url=handover.get_absolute_url(),
    )


ACTIONS = [ActionKind("handover", "handover item", "handover items", _my_items, _describe)]
