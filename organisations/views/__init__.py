"""Pages for organisations: the directory, members, invitations, named
posts. Every view reads through ``visible_to`` and ``get_object_for`` (scoping.py)."""

from .change_requests import (
    change_request_create,
    change_request_detail,
    change_request_list,
    change_request_start,
    change_request_withdraw,
)
from .handovers import handover_detail, handover_item, handover_item_done
from .invitations import (
    invitation_accept,
    invitation_create,
    invitation_open,
    invitation_resend,
    invitation_revoke,
)
from .members import member_list, member_remove, member_roles, member_suggestions
from .organisations import organisation_detail, organisation_list
from .posts import appointment_create, appointment_replace, appointment_update
from .register import register_export, register_list
from .specialists import specialist_export, specialist_register
from .switch import organisation_switch

__all__ = [
    "appointment_create",
    "appointment_replace",
    "appointment_update",
    "change_request_create",
    "change_request_detail",
    "change_request_list",
    "change_request_start",
    "change_request_withdraw",
    "handover_detail",
    "handover_item",
    "handover_item_done",
    "invitation_accept",
    "invitation_create",
    "invitation_open",
    "invitation_resend",
    "invitation_revoke",
    "member_list",
    "member_remove",
    "member_roles",
    "member_suggestions",
    "organisation_detail",
    "organisation_list",
    "organisation_switch",
    "register_export",
    "register_list",
    "specialist_export",
    "specialist_register",
]
