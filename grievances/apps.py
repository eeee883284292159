from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "grievances"
    verbose_name = _("Disputes")

    def ready(self):
        from grievances import views
        from villages import schedules
        from villages.panels import NavItem, Panel, register_nav, register_panel

        schedules.declare(
            "grievances.mark_overdue", "grievances.tasks.mark_overdue", "D", first_run=schedules.tomorrow_at(1)
        )

        register_panel(Panel("grievances.mine", "grievances/_panel_mine.html", views.panel_mine, ("field",), 30))
        register_panel(
            Panel("grievances.overdue", "grievances/_panel_overdue.html", views.panel_overdue, ("town", "hq"), 20)
        )
        register_nav(NavItem("grievances.cases", _("Disputes"), "grievances:case_list", order=30))
        register_nav(NavItem("grievances.ledger", _("Dispute ledger"), "grievances:case_ledger", order=31))
