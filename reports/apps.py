from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from reports import exporters  # noqa: F401 - registers the report builders
        from villages import schedules
        from villages.panels import NavItem, register_nav

        # Last month's work report of every village, on the 1st at 06:00 (Beijing).
        schedules.declare(
            "reports.monthly_work_reports",
            "reports.tasks.monthly_work_reports",
            "M",
            first_run=schedules.first_of_next_month_at(6),
        )
        schedules.declare(
            "reports.runs_watchdog", "reports.tasks.watchdog", "I", minutes=5, first_run=schedules.in_minutes(5)
        )
        register_nav(NavItem("reports", _("Reports"), "reports:report_list", order=80))
