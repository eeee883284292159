"""Reads that depend on who is asking, and the one scoping helper every app uses.

A user sees the areas they hold a role in and everything below them. Objects
outside that scope are a 404 (we do not confirm they exist); objects in scope
that the user may only read are a 403 when they try to write.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from villages.models import FIELD_ROLES, HQ_ROLES, READ_ONLY_ROLES, Area, Event, Level, Role, RoleAssignment

_CACHE_ATTR = "_zhucun_assignments"


def active_assignments(user) -> list[RoleAssignment]:
    """The user's current role assignments, loaded once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    assignments = list(
        RoleAssignment.objects.filter(person__user=user)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("area")
    )
    setattr(user, _CACHE_ATTR, assignments)
    return assignments


def scope_paths(user, *, write: bool = False) -> list[str] | None:
    """Path prefixes of the user's scope; None means everything (superusers)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    paths = {a.area.path for a in active_assignments(user) if not (write and a.role in READ_ONLY_ROLES)}
    # Drop prefixes already covered by a shorter one, so the SQL stays small.
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def scope_q(user, *, area_field: str = "area", write: bool = False) -> Q:
    """A Q object selecting rows whose `area_field` lies in the user's scope."""
    paths = scope_paths(user, write=write)
    if paths is None:
        return Q()
    lookup = "path__startswith" if area_field == "" else f"{area_field}__path__startswith"
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{lookup: path})
    return query


def filter_in_scope(qs: QuerySet, user, *, area_field: str = "area", write: bool = False) -> QuerySet:
    return qs.filter(scope_q(user, area_field=area_field, write=write))


def get_in_scope(qs: QuerySet, user, pk, *, area_field: str = "area", write: bool = False) -> Model:
    """The object with `pk` if the user can see it (else 404) and, for writes, change it (else 403)."""
    try:
        obj = filter_in_scope(qs, user, area_field=area_field).get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not filter_in_scope(qs, user, area_field=area_field, write=True).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def areas_for_user(user, *, level: str | None = None) -> QuerySet[Area]:
    qs = filter_in_scope(Area.objects.all(), user, area_field="")
    return qs.filter(level=level) if level else qs


def area_for_user(user, pk, *, write: bool = False) -> Area:
    return get_in_scope(Area.objects.select_related("parent"), user, pk, area_field="", write=write)


def villages_for_user(user) -> QuerySet[Area]:
    return areas_for_user(user, level=Level.VILLAGE)


def roles_for(user, area: Area | None = None) -> set[str]:
    """Roles the user holds at `area` or above it (or anywhere, when no area is given)."""
    if area is None:
        return {a.role for a in active_assignments(user)}
    return {a.role for a in active_assignments(user) if area.path.startswith(a.area.path)}


def has_role(user, roles: Iterable[str] | str, area: Area) -> bool:
    wanted = {roles} if isinstance(roles, str) else set(roles)
    return bool(wanted & roles_for(user, area))


def audience(user) -> str:
    """Which home page and navigation the user gets: field, town, hq, readonly or none."""
    roles = roles_for(user)
    if getattr(user, "is_superuser", False) or roles & HQ_ROLES:
        return "hq"
    if roles & {Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER}:
        return "town"
    if roles & FIELD_ROLES:
        return "field"
    if roles & READ_ONLY_ROLES:
        return "readonly"
    return "none"


def is_read_only(user) -> bool:
    return scope_paths(user, write=True) == [] and bool(active_assignments(user))


def breadcrumbs(area: Area) -> list[Area]:
    return list(Area.objects.filter(path__in=area.ancestor_paths()).order_by("path"))


def area_children(area: Area) -> QuerySet[Area]:
    return area.children.order_by("code")


def assignments_at(area: Area) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(area=area).select_related("person").order_by("role", "person__name")


def events_for_area(area: Area) -> QuerySet:
    return Event.objects.filter(area__path__startswith=area.path).select_related("actor").order_by("-created", "-pk")


def events_for(obj: Model) -> QuerySet:
    """The timeline of one object, oldest first."""
    return Event.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def scope_overview(user) -> list[dict]:
    """For each top area of the user's scope: how many towns and villages lie below it."""
    paths = scope_paths(user)
    tops = Area.objects.filter(parent__isnull=True) if paths is None else Area.objects.filter(path__in=paths)
    rows = []
    for area in tops.order_by("path"):
        below = Area.objects.filter(path__startswith=area.path)
        counts = below.aggregate(
            towns=Count("pk", filter=Q(level=Level.TOWN)), villages=Count("pk", filter=Q(level=Level.VILLAGE))
        )
        rows.append({"area": area, **counts})
    return rows
