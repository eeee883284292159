"""Readable labels for the projects app's event kinds, shown in timelines."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "projects.funder.saved": _("Funder saved"),
    "projects.grant.created": _("Grant recorded"),
    "projects.department_budget.created": _("Department budget recorded"),
    "projects.project_budget.created": _("Project budget recorded"),
    "projects.budget_line.created": _("Budget line recorded"),
    "projects.budget_change.requested": _("Budget change requested"),
    "projects.budget_change.approved": _("Budget change approved"),
    "projects.budget_change.rejected": _("Budget change rejected"),
    "projects.project.created": _("Project applied for"),
    "projects.project.advanced": _("Project moved to its next stage"),
    "projects.site.added": _("Site drawn"),
    "projects.indicator.added": _("Indicator set"),
    "projects.indicator.reported": _("Actual reported"),
    "projects.photo.added": _("Evidence photo added"),
    "projects.attachment.added": _("Document attached"),
    "projects.asset.registered": _("Asset registered"),
    "projects.notice.created": _("Public notice recorded"),
    "projects.notice.photographed": _("Photo of the posted notice recorded"),
    "projects.payment.prepared": _("Payment prepared (handler)"),
    "projects.payment.updated": _("Payment changed (handler)"),
    "projects.payment.invoice_added": _("Invoice recorded"),
    "projects.payment.submitted": _("Submitted by the handler"),
    "projects.payment.approved": _("Approved"),
    "projects.payment.checked": _("Checked by finance and office"),
    "projects.payment.paid": _("Paid by the cashier"),
    "projects.payment.booked": _("Booked by the accountant"),
    "projects.payment.verified": _("Verified by the executive vice-chair"),
    "projects.payment.sent_back": _("Sent back"),
}
