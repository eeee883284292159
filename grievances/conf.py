"""Local practice that varies by county: categories and deadlines come from settings, with defaults here.

Override in settings (or the environment-driven settings module) with:
    GRIEVANCE_CATEGORIES = [("water", "用水纠纷"), ...]
    GRIEVANCE_DEADLINE_DAYS = {"grid": 7, "village": 7, "township": 20, "county": 30}
    GRIEVANCE_CATEGORY_DEADLINE_DAYS = {"land": {"township": 30}}
    GRIEVANCE_NOTIFY_CHANNELS = ["inapp"]          # add "email" / "sms" when they are switched on
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# The domain notes' typical categories of village disputes.
DEFAULT_CATEGORIES = [
    ("family", _("Marriage and family")),
    ("neighbours", _("Neighbours")),
    ("land", _("Land and boundaries")),
    ("water", _("Water use")),
    ("village_affairs", _("Village affairs")),
    ("debt", _("Debts and wages")),
    ("injury", _("Personal injury")),
    ("cadre", _("Cadres and residents")),
    ("policy", _("Policy")),
    ("historical", _("Historical")),
    ("other", _("Other")),
]

# Days to resolve, by handling level (simple matters at the grid 1-7 days, village ~7,
# township ~20, formal mediation at the county 30).
DEFAULT_DEADLINE_DAYS = {"grid": 7, "village": 7, "township": 20, "county": 30}


def categories() -> list[tuple[str, str]]:
    return list(getattr(settings, "GRIEVANCE_CATEGORIES", DEFAULT_CATEGORIES))


def category_label(code: str) -> str:
    return str(dict(categories()).get(code, code))


def deadline_days(level: str, category: str = "") -> int:
    """Days allowed at `level`; a category may override it per level."""
    per_category = getattr(settings, "GRIEVANCE_CATEGORY_DEADLINE_DAYS", {}).get(category, {})
    if level in per_category:
        return int(per_category[level])
    days = {**DEFAULT_DEADLINE_DAYS, **getattr(settings, "GRIEVANCE_DEADLINE_DAYS", {})}
    return int(days[level])


def notify_channels() -> list[str]:
    return list(getattr(settings, "GRIEVANCE_NOTIFY_CHANNELS", ["inapp"]))
