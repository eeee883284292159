from django.urls import reverse

from villages.panels import nav_for
from villages.selectors import audience


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    who = audience(user)
    items = [{"label": n.label, "url": reverse(n.url_name, kwargs=n.kwargs), "key": n.key} for n in nav_for(who, user)]
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_items": items, "audience": who, "unread_notifications": unread}
