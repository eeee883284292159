from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Areas and people")

    def ready(self):
        from villages import views
        from villages.panels import Panel, register_panel

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
