"""Shared helpers of the projects services: the event line, rule checks, who may plan."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from projects.events import EVENT_LABELS
from projects.models import (
    PaymentStatus,
)
from villages.models import HQ_ROLES, PAYMENT_ROLES, Role
from villages.selectors import has_role
from villages.services import log_event

CASHIER_STEP = PAYMENT_ROLES.index(Role.PAY_CASHIER)
ACCOUNTANT_STEP = PAYMENT_ROLES.index(Role.PAY_ACCOUNTANT)
COMMITTED_STATUSES = (PaymentStatus.IN_CHAIN, PaymentStatus.COMPLETED)
# Who may set up funders, grants, budgets and projects: union HQ, and cadres for their own village's projects.
PLANNING_ROLES = HQ_ROLES | {Role.FIRST_SECRETARY, Role.TEAM_MEMBER, Role.COUNTY_OFFICER}
# Who may name a project's beneficiary households: its planners and the payment handler (实名制发放).
BENEFICIARY_ROLES = PLANNING_ROLES | {Role.PAY_HANDLER}


def _log(kind: str, obj, actor, data: dict, *, area=None):
    """log_event with a readable line for the timeline: what happened, to which record."""
    label = EVENT_LABELS.get(kind)
    message = f"{label} · {obj}" if label else ""
    return log_event(kind, obj, actor, data, area=area, message=message)


def _require(condition: bool, message: str, code: str) -> None:
    if not condition:
        raise ValidationError(message, code=code)


def _require_role(actor, roles, area, message: str | None = None) -> None:
    _require(
        has_role(actor, roles, area),
        message or _("You do not hold a role that may do this here."),
        "role",
    )
