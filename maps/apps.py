from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = _("Maps")

    def ready(self):
        from villages.panels import NavItem, register_nav

        register_nav(NavItem("maps.map", _("Map"), "maps:map_index", order=40))
