"""What waits for a person in committees (core.waiting): each draft assurance report of a
committee they run, to approve (its chair) or to finish (its secretary), linking to the
report itself; and the meeting actions they own."""

from django.urls import reverse
from django.utils import timezone

from core.waiting import ActionKind, Owned, Waiting
from organisations.access import access_for

from .choices import ReportState
from .models import AssuranceReport, MeetingAction
from .permissions import Perm

# Drafts named on a home page at most: a committee has one for a period.
MOST_DRAFTS = 10


def draft_reports(user, organisation):
    access = access_for(user)
    if not access.has_anywhere(Perm.COMMITTEES_MANAGE):
        return []
    drafts = (
        AssuranceReport.objects.visible_to(user, Perm.COMMITTEES_MANAGE)
        .filter(state=ReportState.DRAFT)
        .select_related("committee__organisation")
        .order_by("period_end", "pk")[:MOST_DRAFTS]
    )
    found = []
    for report in drafts:
        committee = report.committee
        approves = Perm.COMMITTEE_REPORTS_APPROVE in access.permissions(committee.organisation)
        found.append(
            Waiting(
                f"assurance report {'to approve' if approves else 'to finish'}: the "
                f"{committee.name}, {report.period_start:%-d %b %Y} to "
                f"{report.period_end:%-d %b %Y}",
                1,
                reverse(
                    "committees:report",
                    args=[committee.organisation.ods_code, committee.pk, report.pk],
                ),
            )
        )
    return found


PROVIDERS = [draft_reports]


def _my_actions(user):
    return (
        MeetingAction.objects.visible_to(user)
        .open()
        .filter(owner=user)
        .select_related("meeting__committee__organisation")
    )


def _describe(action: MeetingAction) -> Owned:
    meeting = action.meeting
    return Owned(
        what=action.description,
        of=f"The {meeting.committee.name}, meeting of "
        f"{timezone.localtime(meeting.starts_at):%-d %B %Y}",
        due_on=action.due_on,
        url=action.get_absolute_url(),
    )


ACTIONS = [ActionKind("committee", "committee action", "committee actions", _my_actions, _describe)]
