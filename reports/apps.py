from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_schedules(sender, **kwargs):
    from reports.services import schedules_ensure

    schedules_ensure()


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from reports import exporters  # noqa: F401 - registers the report builders
        from villages.panels import NavItem, register_nav

        register_nav(NavItem("reports", _("Reports"), "reports:report_list", order=80))
        # Schedules are declared in code and written by every `migrate` (idempotent).
        post_migrate.connect(_ensure_schedules, sender=self, dispatch_uid="reports.schedules")
