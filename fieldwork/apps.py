from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("Fieldwork")

    def ready(self):
        from fieldwork import views
        from villages import schedules
        from villages.panels import NavItem, Panel, register_nav, register_panel

        schedules.declare(
            "fieldwork.remind_overdue_problems",
            "fieldwork.tasks.remind_overdue_problems",
            "D",
            first_run=schedules.tomorrow_at(8),
        )

        register_panel(Panel("fieldwork.today", "fieldwork/_panel_today.html", views.panel_today, ("field",), 5))
        register_panel(
            Panel(
                "fieldwork.villages",
                "fieldwork/_panel_villages.html",
                views.panel_villages,
                ("town", "hq", "readonly"),
                20,
            )
        )
        everyone = ("field", "town", "hq", "readonly")
        register_nav(NavItem("fieldwork.dashboard", _("三个一 dashboard"), "fieldwork:dashboard", everyone, 10))
        register_nav(NavItem("fieldwork.households", _("Households"), "fieldwork:household_list", everyone, 11))
        register_nav(NavItem("fieldwork.visit", _("Log a visit"), "fieldwork:visit_create", ("field",), 12))
        register_nav(NavItem("fieldwork.problems", _("Problems"), "fieldwork:problem_list", everyone, 13))
        register_nav(NavItem("fieldwork.meetings", _("Meetings"), "fieldwork:meeting_list", everyone, 14))
        register_nav(
            NavItem("fieldwork.attendance", _("Attendance and diary"), "fieldwork:attendance", ("field", "town"), 15)
        )
