"""Every read of dispute cases, scoped through villages.selectors; the ledger selectors reports use."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from grievances.models import LEVEL_AREA, OPEN_STATUSES, Case, HandlingLevel, Party, Status
from villages import selectors as scope
from villages.models import FIELD_ROLES, Area, Level, Role

# Roles that take part in mediation: village cadres and 中心户长, township and county officers.
# Union HQ staff see cases in their scope but neither act on them nor see the parties' data.
HANDLING_ROLES = frozenset({*FIELD_ROLES, Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER})


def _scope(user, *, write: bool = False) -> Q:
    # A case lies in the village's scope and, when it names a group, in the group's (中心户长).
    return scope.scope_q(user, area_field="village", write=write) | scope.scope_q(user, area_field="group", write=write)


def cases_for_user(user) -> QuerySet[Case]:
    return Case.objects.filter(_scope(user)).select_related("village", "group", "handler")


def cases_matching(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """`cases` whose number or summary *as the list shows it* (masked) contains `query`.

    Matching the stored summary would tell someone who types a name whether a case mentions that
    person, though every list shows the name masked. The database narrows to summaries holding the
    text; each candidate is then checked against its masked summary.
    """
    candidates = (
        cases.filter(title__contains=query)
        .exclude(number__contains=query)
        .select_related(None)
        .prefetch_related("parties")
    )
    shown = [case.pk for case in candidates.only("pk", "title") if query in case.masked_title]
    return cases.filter(Q(number__contains=query) | Q(pk__in=shown))


def case_for_user(user, pk, *, write: bool = False) -> Case:
    """The case (404 outside scope); for writes the user must handle it at its level (else 403)."""
    qs = Case.objects.select_related("village", "village__parent", "group", "handler")
    try:
        case = qs.filter(_scope(user)).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not (qs.filter(_scope(user, write=True)).filter(pk=case.pk).exists() and can_act(user, case)):
        raise PermissionDenied
    return case


def can_act(user, case: Case) -> bool:
    """Handlers at the case's level and everyone above them in the area tree may move the case on."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or case.handler_id == user.pk:
        return True
    return scope.has_role(user, HANDLING_ROLES, case.handling_area())


def can_reveal(user, case: Case) -> bool:
    """Parties' personal data: the case's handlers (and who took it in) and their superiors only."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_act(user, case) or case.recorded_by_id == user.pk


def villages_for_intake(user) -> QuerySet[Area]:
    """Villages where the user may take in a dispute: a handling role at the village or above it."""
    paths = {a.area.path for a in scope.active_assignments(user) if a.role in HANDLING_ROLES}
    if user.is_superuser:
        return Area.objects.filter(level=Level.VILLAGE)
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    # A group head's role sits below the village: they may report from their own village.
    query |= Q(pk__in=[a.area.parent_id for a in scope.active_assignments(user) if a.role == Role.GROUP_HEAD])
    return Area.objects.filter(level=Level.VILLAGE).filter(query).order_by("path")


def handlers_for(case: Case) -> list:
    """Users who can take the case at its current level (for the assign form and notifications)."""
    return users_with_roles_at(case.handling_area(), HANDLING_ROLES)


def users_with_roles_at(area: Area, roles) -> list:
    from villages.models import RoleAssignment

    assignments = RoleAssignment.objects.filter(area=area, role__in=roles, person__user__is_active=True)
    return [a.person.user for a in assignments.select_related("person__user").order_by("person__name")]


def superiors_for(case: Case) -> list:
    """Officers of the next level up (a village case → the township's officers)."""
    next_level = case.next_level()
    if next_level is None:
        return []
    wanted = LEVEL_AREA[HandlingLevel(next_level)]
    area = case.village if wanted == Level.VILLAGE else case.village.parent
    while area is not None and area.level != wanted:
        area = area.parent
    return users_with_roles_at(area, HANDLING_ROLES) if area else []


def parties_for(case: Case) -> QuerySet[Party]:
    return case.parties.select_related("household")


def overdue_cases(user) -> QuerySet[Case]:
    return cases_for_user(user).filter(overdue=True, status__in=OPEN_STATUSES).order_by("deadline", "pk")


def timeline(case: Case):
    return scope.events_for(case)


# --- Ledger (台账): also called by the reports app -------------------------------------------


def ledger(
    user,
    *,
    start: date,
    end: date,
    category: str | None = None,
    level: str | None = None,
    status: str | None = None,
    village: Area | None = None,
) -> QuerySet[Case]:
    """Cases received between `start` and `end` (inclusive) in the user's scope, oldest first."""
    qs = cases_for_user(user).filter(received_on__gte=start, received_on__lte=end)
    if category:
        qs = qs.filter(category=category)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if village is not None:
        qs = qs.filter(village=village)
    return qs.annotate(party_count=Count("parties")).order_by("received_on", "pk")


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def figures_for(cases) -> dict:
    """The ledger's figures for a list of cases (see `ledger_figures`)."""
    cases = list(cases)
    resolved = [c for c in cases if c.resolved_on]
    on_time = [c for c in resolved if c.resolved_on <= c.deadline]
    closed = [c for c in cases if c.status == Status.CLOSED]
    days = [(c.closed_on - c.received_on).days for c in closed if c.closed_on]
    from grievances.models import ReturnVisit

    ratings = list(
        ReturnVisit.objects.filter(case__in=[c.pk for c in closed]).values_list("case_id", "satisfaction", "visited_on")
    )
    latest: dict[int, tuple] = {}
    for case_id, rating, visited_on in ratings:
        if case_id not in latest or visited_on >= latest[case_id][1]:
            latest[case_id] = (rating, visited_on)
    scores = [rating for rating, _on in latest.values()]
    return {
        "received": len(cases),
        "closed": len(closed),
        "open": sum(1 for c in cases if c.status in OPEN_STATUSES),
        "overdue": sum(1 for c in cases if c.overdue and c.status in OPEN_STATUSES),
        "resolved": len(resolved),
        "on_time": len(on_time),
        "on_time_rate": _ratio(len(on_time), len(resolved)),
        "escalated": sum(1 for c in cases if c.escalations),
        "referred": sum(1 for c in cases if c.status == Status.REFERRED),
        "average_days_to_close": (
            (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if days else None
        ),
        "satisfaction": (
            (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if scores else None
        ),
    }


def ledger_figures(
    user,
    *,
    start: date,
    end: date,
    category: str | None = None,
    level: str | None = None,
    status: str | None = None,
    village: Area | None = None,
) -> dict:
    """received, closed, open, overdue, resolved, on_time, on_time_rate (%, Decimal), escalated, referred,
    average_days_to_close (Decimal), satisfaction (1-5, Decimal); rates are None when nothing to divide."""
    rows = ledger(user, start=start, end=end, category=category, level=level, status=status, village=village)
    return figures_for(rows)


def disputes_resolved(village: Area, year: int, month: int) -> int:
    """The village's monthly figure "disputes resolved": cases closed in that month (not scoped: a figure)."""
    return Case.objects.filter(
        village=village, status=Status.CLOSED, closed_on__year=year, closed_on__month=month
    ).count()


LINK_URLS = {
    "source_visit": "fieldwork:visit_detail",
    "source_meeting": "fieldwork:meeting_detail",
    "source_problem": "fieldwork:problem_detail",
    "related_project": "projects:project_detail",
}


def links_for(case: Case) -> list[dict]:
    """The visit, meeting, problem and project a case is linked to (fields arrive with those apps)."""
    from django.urls import NoReverseMatch, reverse

    links = []
    for field, url_name in LINK_URLS.items():
        target = getattr(case, field, None) if hasattr(case, f"{field}_id") else None
        if target is None:
            continue
        try:
            url = reverse(url_name, args=[target.pk])
        except NoReverseMatch:
            url = ""
        links.append(
            {"field": field, "label": str(target), "url": url, "verbose": case._meta.get_field(field).verbose_name}
        )
    return links
