from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Areas and people")

    def ready(self):
        from villages import schedules, views
        from villages.panels import Panel, register_panel

        schedules.declare("villages.outbox_flush", "villages.tasks.outbox_flush", "I", minutes=1)
        post_migrate.connect(schedules.ensure, sender=self, dispatch_uid="villages.schedules")

        register_panel(Panel("villages.roles", "villages/_panel_roles.html", views.panel_roles, order=900))
        register_panel(
            Panel(
                "villages.overview",
                "villages/_panel_overview.html",
                views.panel_overview,
                audiences=("town", "hq", "readonly"),
                order=10,
            )
        )
