"""What waits for a person in alerts (core.waiting): the alerts of the organisation they work
in to acknowledge, to decide on and past a deadline, the responses sent back to put right,
and the responses waiting for their sign-off, counted as the inbox shows them with the
``show`` its link gives; and the alert actions they own."""

from django.urls import reverse
from django.utils import timezone

from core.waiting import ActionKind, Counted, Owned
from organisations.access import access_for

from .choices import OPEN_STATES, ResponseState
from .models import AlertActionResponse, AlertResponse
from .permissions import Perm


def inbox_rows(user, organisation):
    """The responses the inbox lists (views.responses.inbox): the organisation's, to published
    alerts, as the person may see them."""
    return AlertResponse.objects.visible_to(user).filter(
        organisation=organisation, alert__published_at__isnull=False
    )


def responses(user, organisation):
    if organisation is None:
        return []
    perms = access_for(user).permissions(organisation)
    if Perm.ALERTS_VIEW not in perms:
        return []
    inbox, rows = reverse("alerts:inbox"), inbox_rows(user, organisation)
    found = []
    if Perm.ALERTS_RESPOND in perms:
        found += [
            Counted(
                "alert to acknowledge",
                "alerts to acknowledge",
                rows.filter(state=ResponseState.NEW),
                f"{inbox}?show={ResponseState.NEW}",
            ),
            Counted(
                "alert acknowledged, to decide whether it applies",
                "alerts acknowledged, to decide whether they apply",
                rows.filter(state=ResponseState.ACKNOWLEDGED),
                f"{inbox}?show={ResponseState.ACKNOWLEDGED}",
            ),
            Counted(
                "alert response past a deadline",
                "alert responses past a deadline",
                rows.overdue(timezone.localdate()),
                f"{inbox}?show=overdue",
            ),
            Counted(
                "alert response sent back, not signed off",
                "alert responses sent back, not signed off",
                rows.sent_back(),
                f"{inbox}?show=sent-back",
            ),
        ]
    if Perm.ALERTS_SIGN_OFF in perms:
        found.append(
            Counted(
                "alert response waiting for your sign-off",
                "alert responses waiting for your sign-off",
                rows.waiting_for_sign_off(),
                f"{inbox}?show=sign-off",
            )
        )
    return found


PROVIDERS = [responses]


def _my_actions(user):
    """The open actions the person owns of responses still open, to published alerts."""
    return (
        AlertActionResponse.objects.visible_to(user)
        .open()
        .filter(
            owner=user,
            response__state__in=OPEN_STATES,
            response__alert__published_at__isnull=False,
        )
        .select_related("action", "response__alert", "response__organisation")
    )


def _describe(answer: AlertActionResponse) -> Owned:
    response = answer.response
    return Owned(
        what=answer.action.description,
        of=f"Alert {response.alert.reference}, {response.organisation.name}",
        due_on=answer.action.due_on,
        url=response.get_absolute_url(),
    )


ACTIONS = [ActionKind("alert", "alert action", "alert actions", _my_actions, _describe)]
