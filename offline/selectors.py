"""Reads for phones: the village package and the scoped look-ups the sync endpoints use.

Everything goes through `villages.selectors`; a household is in scope through its village
or, for a 中心户长 whose role sits on a group, through its group.
"""

import hashlib
import json
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from fieldwork.models import CLOSED_PROBLEM_STATUSES, Household, Problem
from grievances.models import OPEN_STATUSES, Case
from villages import selectors as scope
from villages.masking import mask_name, mask_phone
from villages.models import Area, Level, Role, RoleAssignment

# Roles that work with households by name and phone: the village's own cadres.
# Township, county and HQ staff, auditors and funders get masked names and no phones.
PERSONAL_DATA_ROLES = frozenset({Role.FIRST_SECRETARY, Role.TEAM_MEMBER, Role.VILLAGE_OFFICER, Role.GROUP_HEAD})
COORD_DECIMALS = 6  # ~0.1 m: enough to find a door, and keeps the package small


def households_in_scope(user, *, write: bool = False) -> QuerySet[Household]:
    q = scope.scope_q(user, area_field="village", write=write) | scope.scope_q(user, area_field="group", write=write)
    return Household.objects.filter(q)


def household_for_user(user, pk, *, write: bool = False) -> Household:
    """The household (404 outside scope; 403 when the user may only read it)."""
    qs = Household.objects.select_related("village", "group")
    try:
        household = qs.filter(pk__in=households_in_scope(user).values("pk")).get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not households_in_scope(user, write=True).filter(pk=household.pk).exists():
        raise PermissionDenied
    return household


def village_for_user(user, pk, *, write: bool = False) -> Area:
    return scope.get_in_scope(Area.objects.filter(level=Level.VILLAGE), user, pk, area_field="", write=write)


def personal_allowed(user, village: Area, group: Area | None) -> bool:
    """Names, phones and addresses in full: the village's cadres, and a group head for their group."""
    if getattr(user, "is_superuser", False):
        return True
    return scope.has_role(user, PERSONAL_DATA_ROLES - {Role.GROUP_HEAD}, village) or scope.has_role(
        user, PERSONAL_DATA_ROLES, group or village
    )


def can_see_personal(user, household: Household) -> bool:
    return personal_allowed(user, household.village, household.group)


def villages_for_package(user) -> QuerySet[Area]:
    """Villages a user can take offline: those in scope, plus the village of a group head's group."""
    own = scope.villages_for_user(user)
    group_villages = [a.area.parent_id for a in scope.active_assignments(user) if a.area.level == Level.GROUP]
    return Area.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=group_villages)).order_by("path")


@dataclass
class Package:
    body: bytes
    etag: str
    generation_ms: int

    @property
    def size(self) -> int:
        return len(self.body)


def _household_row(household: Household, full: bool) -> dict:
    row = {
        "id": household.pk,
        "number": household.number,
        "head": household.head_name if full else mask_name(household.head_name),
        "group": household.group_id,
        "version": household.version,
    }
    if household.location is not None:
        row["lon"] = round(household.location.x, COORD_DECIMALS)
        row["lat"] = round(household.location.y, COORD_DECIMALS)
    if full:
        row["address"] = household.address
        row["phone"] = household.phone
    elif household.phone:
        row["phone_masked"] = mask_phone(household.phone)
    return row


def package_content(user, village: Area) -> dict:
    """What a cadre needs in the field for one village, with personal data only as the role allows."""
    group_areas = {g.pk: g for g in village.children.filter(level=Level.GROUP).defer("boundary").order_by("code")}
    groups = [{"id": g.pk, "name": g.name} for g in group_areas.values()]
    # No areas loaded per household (their boundaries are large); the role check is made once per group.
    households = (
        households_in_scope(user)
        .filter(village=village)
        .only("id", "number", "head_name", "group_id", "version", "location", "address", "phone")
        .order_by("number")
    )
    allowed = {None: personal_allowed(user, village, None)}
    allowed.update({pk: personal_allowed(user, village, g) for pk, g in group_areas.items()})
    # A group head sees the problems of their group's households only.
    problems = (
        Problem.objects.filter(village=village)
        .filter(scope.scope_q(user, area_field="village") | Q(household__in=households.values("pk")))
        .exclude(status__in=CLOSED_PROBLEM_STATUSES)
        .order_by("-raised_on", "-pk")
        .values("id", "title", "household_id", "status", "raised_on", "due_on")
    )
    cases = (
        scope.filter_in_scope(
            Case.objects.filter(village=village, status__in=OPEN_STATUSES), user, area_field="village"
        )
        .order_by("deadline", "pk")
        .prefetch_related("parties")
    )
    today = timezone.localdate()
    attendees = (
        RoleAssignment.objects.filter(area__path__startswith=village.path)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(role__in=[Role.AUDITOR, Role.FUNDER])
        .select_related("person")
        .order_by("person__name", "pk")
    )
    seen = set()
    people = []
    for assignment in attendees:
        if assignment.person_id in seen:
            continue
        seen.add(assignment.person_id)
        people.append({"id": assignment.person_id, "name": assignment.person.name, "role": assignment.role})
    rows = [_household_row(h, allowed.get(h.group_id, allowed[None])) for h in households]
    return {
        "village": {"id": village.pk, "code": village.code, "name": village.name},
        "groups": groups,
        "households": rows,
        "problems": [
            {
                "id": p["id"],
                "title": p["title"],
                "household": p["household_id"],
                "status": p["status"],
                "raised_on": p["raised_on"],
                "due_on": p["due_on"],
            }
            for p in problems
        ],
        # The summary often names the parties: masked, like the parties (reveals are logged, on the page).
        "cases": [
            {
                "id": c.pk,
                "number": c.number,
                "title": c.masked_title,
                "status": c.status,
                "deadline": c.deadline,
                "category": c.category,
            }
            for c in cases
        ],
        "attendees": people,
    }


def village_package(user, village: Area) -> Package:
    """The package as JSON bytes, with an ETag over its content (not over when it was made)."""
    started = time.perf_counter()
    content = package_content(user, village)
    stable = json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    etag = '"' + hashlib.sha256(f"{user.pk}:{stable}".encode()).hexdigest()[:32] + '"'
    generation_ms = round((time.perf_counter() - started) * 1000)
    envelope = {
        "generated_at": timezone.now().isoformat(),
        "generation_ms": generation_ms,
        "etag": etag,
        **content,
    }
    body = json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
    return Package(body=body, etag=etag, generation_ms=generation_ms)
