"""Every write to grants, budgets, projects, outputs, evidence and payments.

The payment chain is enforced here, on the server: the role for the step, segregation of
duties, the hard rules, and one winner when two people act on the same step at once.
"""

from projects.services.base import ACCOUNTANT_STEP, CASHIER_STEP, COMMITTED_STATUSES, PLANNING_ROLES
from projects.services.funds import (
    actual_report,
    asset_register,
    attachment_add,
    budget_change_decide,
    budget_change_request,
    budget_line_create,
    department_budget_create,
    funder_upsert,
    grant_create,
    indicator_add,
    measure_geometry,
    measured_actual,
    notice_create,
    notice_photo_record,
    photo_add,
    project_advance,
    project_budget_create,
    project_create,
    site_add,
)
from projects.services.payments import (
    STEP_VERBS,
    check_hard_rules,
    invoice_add,
    payment_approve,
    payment_prepare,
    payment_send_back,
    payment_submit,
    payment_update,
)

__all__ = [
    "ACCOUNTANT_STEP",
    "CASHIER_STEP",
    "COMMITTED_STATUSES",
    "PLANNING_ROLES",
    "funder_upsert",
    "grant_create",
    "department_budget_create",
    "project_budget_create",
    "budget_line_create",
    "budget_change_request",
    "budget_change_decide",
    "project_create",
    "project_advance",
    "measure_geometry",
    "site_add",
    "indicator_add",
    "measured_actual",
    "actual_report",
    "photo_add",
    "attachment_add",
    "asset_register",
    "notice_create",
    "notice_photo_record",
    "payment_prepare",
    "payment_update",
    "invoice_add",
    "check_hard_rules",
    "payment_submit",
    "payment_approve",
    "payment_send_back",
    "STEP_VERBS",
]
