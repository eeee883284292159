from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from villages import selectors
from villages.models import Level
from villages.panels import panels_for


@login_required
def home(request):
    who = selectors.audience(request.user)
    panels = [(panel.template, panel.context(request)) for panel in panels_for(who)]
    return render(request, "villages/home.html", {"panels": panels, "audience": who})


@login_required
def area_list(request):
    level = request.GET.get("level") if request.GET.get("level") in Level.values else Level.VILLAGE
    areas = selectors.areas_for_user(request.user, level=level).select_related("parent", "parent__parent")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        areas = areas.filter(name__contains=query)
    page = Paginator(areas, 50).get_page(request.GET.get("page"))
    return render(
        request, "villages/area_list.html", {"page": page, "level": level, "levels": Level.choices, "q": query}
    )


@login_required
def area_detail(request, pk):
    area = selectors.area_for_user(request.user, pk)
    context = {
        "area": area,
        "crumbs": selectors.breadcrumbs(area),
        "children": selectors.filter_in_scope(selectors.area_children(area), request.user, area_field=""),
        "assignments": selectors.assignments_at(area),
        "events": selectors.events_for_area(area)[:30],
        "boundary_geojson": area.boundary.geojson if area.boundary else "",
    }
    return render(request, "villages/area_detail.html", context)


@login_required
def notification_list(request):
    notifications = request.user.notifications.all()[:100]
    return render(request, "villages/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read_all(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("villages:notification_list")


def panel_roles(request) -> dict:
    return {"assignments": selectors.active_assignments(request.user)}


def panel_overview(request) -> dict:
    return {"rows": selectors.scope_overview(request.user)}
