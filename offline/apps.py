from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    name = "offline"
    verbose_name = _("Offline capture")

    def ready(self):
        from villages.panels import NavItem, register_nav

        register_nav(
            NavItem("offline", _("Offline capture and queue"), "offline:queue", audiences=("field", "town"), order=15)
        )
