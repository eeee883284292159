"""Home-page panels and navigation entries that apps register in `AppConfig.ready()`.

`villages` must not import the apps built on it, so they plug into the shell
here: fieldwork adds "today's tasks", projects the approval queue, and so on.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

AUDIENCES = ("field", "town", "hq", "readonly")


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (request) -> dict
    audiences: tuple[str, ...] = AUDIENCES
    order: int = 100


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    audiences: tuple[str, ...] = AUDIENCES
    order: int = 100
    kwargs: dict = field(default_factory=dict)
    # (user) -> bool, for an entry only some of an audience may open (e.g. the auditor but not the funder).
    visible: Callable | None = None


_PANELS: dict[str, Panel] = {}
_NAV: dict[str, NavItem] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def register_nav(item: NavItem) -> None:
    _NAV[item.key] = item


def panels_for(audience: str) -> list[Panel]:
    return sorted((p for p in _PANELS.values() if audience in p.audiences), key=lambda p: p.order)


def nav_for(audience: str, user=None) -> list[NavItem]:
    items = (n for n in _NAV.values() if audience in n.audiences)
    return sorted((n for n in items if n.visible is None or user is None or n.visible(user)), key=lambda n: n.order)
