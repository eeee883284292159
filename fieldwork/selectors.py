"""Every read of the fieldwork app that depends on who is asking, and the monthly figures reports use.

All querysets go through `villages.selectors` scoping; figures are computed in a fixed number of
queries whatever the number of villages or households (asserted in tests).
"""

import calendar
import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.gis.geos import Polygon
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from fieldwork import conf
from fieldwork.models import (
    CheckIn,
    DiaryEntry,
    FollowUp,
    GuaranteeCheck,
    Household,
    IncomeRecord,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    Member,
    MonitoringRecord,
    MonitoringStep,
    Photo,
    Problem,
    ProblemStatus,
    Visit,
)
from villages.models import FIELD_ROLES, Area, Level
from villages.selectors import active_assignments, filter_in_scope, get_in_scope, villages_for_user

# ---------------------------------------------------------------- one object, scope-checked


def household_for_user(user, pk, *, write: bool = False) -> Household:
    qs = Household.objects.select_related("village", "group")
    return get_in_scope(qs, user, pk, area_field="village", write=write)


def visit_for_user(user, pk, *, write: bool = False) -> Visit:
    qs = Visit.objects.select_related("household", "village", "visitor", "household__group")
    return get_in_scope(qs, user, pk, area_field="village", write=write)


def problem_for_user(user, pk, *, write: bool = False) -> Problem:
    qs = Problem.objects.select_related("village", "household", "visit", "meeting", "owner", "raised_by")
    return get_in_scope(qs, user, pk, area_field="village", write=write)


def meeting_for_user(user, pk, *, write: bool = False) -> Meeting:
    return get_in_scope(
        Meeting.objects.select_related("village", "recorded_by"), user, pk, area_field="village", write=write
    )


def photo_for_user(user, pk) -> Photo:
    return get_in_scope(Photo.objects.all(), user, pk, area_field="village")


def follow_up_for_user(user, pk, *, write: bool = False) -> FollowUp:
    return get_in_scope(FollowUp.objects.select_related("village"), user, pk, area_field="village", write=write)


def leave_request_for_user(user, pk, *, write: bool = False) -> LeaveRequest:
    qs = LeaveRequest.objects.select_related("village", "user")
    return get_in_scope(qs, user, pk, area_field="village", write=write)


def monitoring_record_for_user(user, pk, *, write: bool = False) -> MonitoringRecord:
    qs = MonitoringRecord.objects.select_related("household", "household__village")
    return get_in_scope(qs, user, pk, area_field="household__village", write=write)


def checkin_for_user(user, pk) -> CheckIn:
    return get_in_scope(CheckIn.objects.select_related("village", "user"), user, pk, area_field="village")


def village_for_user(user, pk, *, write: bool = False) -> Area:
    return get_in_scope(Area.objects.filter(level=Level.VILLAGE), user, pk, area_field="", write=write)


def writable_villages(user) -> QuerySet[Area]:
    return filter_in_scope(Area.objects.filter(level=Level.VILLAGE), user, area_field="", write=True).order_by("code")


def field_villages(user) -> list[Area]:
    """Villages where the user is a resident cadre or village officer (who check in, visit, take leave)."""
    villages = {a.area for a in active_assignments(user) if a.role in FIELD_ROLES and a.area.level == Level.VILLAGE}
    groups = {a.area.parent for a in active_assignments(user) if a.role in FIELD_ROLES and a.area.level == Level.GROUP}
    return sorted(villages | {g for g in groups if g is not None}, key=lambda a: a.code)


# ---------------------------------------------------------------- lists


def households_for_user(
    user,
    *,
    q: str = "",
    village: int | None = None,
    group: int | None = None,
    category: str = "",
    not_visited_days: int | None = None,
    today: date | None = None,
) -> QuerySet[Household]:
    """Households in scope with their last visit and member count, in a fixed number of queries."""
    last_visit = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_at").values("visited_at")[:1]
    members = (
        Member.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = filter_in_scope(Household.objects.all(), user, area_field="village").select_related("village", "group")
    qs = qs.annotate(
        last_visit=Subquery(last_visit),
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
    )
    if q:
        qs = qs.filter(Q(head_name__contains=q) | Q(number__icontains=q) | Q(members__name__contains=q)).distinct()
    if village:
        qs = qs.filter(village_id=village)
    if group:
        qs = qs.filter(group_id=group)
    if category == "any":
        qs = qs.exclude(monitoring_category="")
    elif category:
        qs = qs.filter(monitoring_category=category)
    if not_visited_days is not None:
        since = timezone.now() - timedelta(days=not_visited_days)
        qs = qs.exclude(visits__visited_at__gte=since)
    return qs.order_by("village__code", "number")


def groups_for_user(user) -> QuerySet[Area]:
    return filter_in_scope(Area.objects.filter(level=Level.GROUP), user, area_field="").select_related("parent")


def visits_for_user(user, *, village: int | None = None) -> QuerySet[Visit]:
    qs = filter_in_scope(Visit.objects.all(), user, area_field="village")
    if village:
        qs = qs.filter(village_id=village)
    qs = qs.select_related("household", "visitor", "village").annotate(photo_count=Count("photos"))
    return qs.order_by("-visited_at", "-pk")


def problems_for_user(user, *, status: str = "", village: int | None = None, q: str = "") -> QuerySet[Problem]:
    qs = filter_in_scope(Problem.objects.all(), user, area_field="village").select_related(
        "village", "household", "owner"
    )
    if status == "open":
        qs = qs.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS])
    elif status in ProblemStatus.values:
        qs = qs.filter(status=status)
    if village:
        qs = qs.filter(village_id=village)
    if q:
        qs = qs.filter(title__contains=q)
    return qs


def meetings_for_user(user, *, village: int | None = None) -> QuerySet[Meeting]:
    qs = filter_in_scope(Meeting.objects.all(), user, area_field="village").select_related("village")
    if village:
        qs = qs.filter(village_id=village)
    return qs.annotate(attendee_count=Count("attendance", distinct=True)).order_by("-held_at", "-pk")


def checkins_for_user(user) -> QuerySet[CheckIn]:
    return filter_in_scope(CheckIn.objects.all(), user, area_field="village").select_related("village", "user")


def leave_requests_for_user(user) -> QuerySet[LeaveRequest]:
    return filter_in_scope(LeaveRequest.objects.all(), user, area_field="village").select_related("village", "user")


def diary_for_user(user, *, village: Area | None = None) -> QuerySet[DiaryEntry]:
    qs = filter_in_scope(DiaryEntry.objects.all(), user, area_field="village").select_related("user", "village")
    return qs.filter(village=village) if village else qs


def monitoring_late_for_user(user, today: date) -> list[MonitoringRecord]:
    """Monitoring procedures open longer than the configured maximum (flagged on the dashboard)."""
    since = today - timedelta(days=conf.monitoring_max_days())
    qs = filter_in_scope(MonitoringRecord.objects.all(), user, area_field="household__village")
    return list(qs.exclude(step=MonitoringStep.DONE).filter(started_on__lt=since).select_related("household"))


# ---------------------------------------------------------------- one household's whole story


def linked(obj, name: str) -> list:
    """Rows of a reverse relation another app adds (cases, projects), or [] before that app exists."""
    manager = getattr(obj, name, None)
    if manager is None:
        return []
    return list(manager.all())


def household_cases(household: Household) -> list:
    cases = []
    for party in linked(household, "dispute_parties"):
        case = getattr(party, "case", None)
        if case is not None and case not in cases:
            cases.append(case)
    return cases


def household_history(household: Household) -> dict:
    visits = (
        household.visits.select_related("visitor")
        .prefetch_related("photos", "follow_ups", "problems")
        .order_by("-visited_at")
    )
    today = timezone.localdate()
    monitoring = list(household.monitoring_records.order_by("-started_on", "-pk"))
    for record in monitoring:
        record.late = record.is_late(today)
    return {
        "members": list(household.members.all()),
        "visits": list(visits),
        "problems": list(household.problems.select_related("owner").order_by("-raised_on")),
        "checks": list(GuaranteeCheck.objects.filter(household=household).order_by("-checked_on", "-pk")[:10]),
        "monitoring": monitoring,
        "incomes": incomes_by_year(household),
        "meetings": list(Meeting.objects.filter(attendance__household=household).distinct().order_by("-held_at")[:20]),
        "cases": household_cases(household),
        "projects": linked(household, "benefiting_projects"),
    }


def incomes_by_year(household: Household) -> list[dict]:
    years: dict[int, dict] = defaultdict(lambda: {"rows": [], "total": 0})
    for record in IncomeRecord.objects.filter(household=household).order_by("-year", "source"):
        years[record.year]["rows"].append(record)
        years[record.year]["total"] += record.amount
    return [{"year": year, **values} for year, values in sorted(years.items(), reverse=True)]


def visit_detail(visit: Visit) -> dict:
    return {
        "photos": list(visit.photos.all()),
        "follow_ups": list(visit.follow_ups.all()),
        "problems": list(visit.problems.all()),
        "check": GuaranteeCheck.objects.filter(visit=visit).first(),
        "cases": linked(visit, "cases"),
    }


# ---------------------------------------------------------------- nearest households


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine): plenty for "which house am I standing at"."""
    radius = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def nearest_households(user, lon: float, lat: float, *, limit: int = 5, radius_m: float = 3000) -> list[dict]:
    """Households in scope nearest to a phone position, within `radius_m`, nearest first."""
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    box = Polygon.from_bbox((lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    box.srid = 4326
    qs = filter_in_scope(Household.objects.filter(location__intersects=box), user, area_field="village")
    rows = []
    for household in qs.select_related("group").only("pk", "number", "head_name", "location", "group__name"):
        metres = _metres(lon, lat, household.location.x, household.location.y)
        if metres <= radius_m:
            rows.append({"household": household, "metres": round(metres)})
    return sorted(rows, key=lambda r: r["metres"])[:limit]


# ---------------------------------------------------------------- monthly figures and 三个一


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def figures_for_villages(village_ids: list[int], year: int, month: int, *, today: date | None = None) -> dict:
    """Monthly figures for many villages at once, in 7 queries whatever their number.

    For each village id: households, days_present (distinct days with a check-in), visits,
    visit_days, households_visited, visit_rate (入户率, %), meetings, meeting_weeks,
    problems_raised, problems_solved, problems_handed_over, problems_open, leave_days,
    days_required, and the 三个一 flags for `today` (visit_today, meeting_this_week, problem_this_month).
    """
    today = today or timezone.localdate()
    first, last = month_bounds(year, month)
    start, end = _aware(first), _aware(last + timedelta(days=1))
    ids = list(village_ids)
    figures = {vid: _empty_figures() for vid in ids}

    for row in Household.objects.filter(village_id__in=ids).values("village_id").annotate(n=Count("pk")).order_by():
        figures[row["village_id"]]["households"] = row["n"]

    # Counted by the database: a month of a city's visits is hundreds of thousands of rows.
    week = today - timedelta(days=today.weekday())
    local_day = TruncDate("visited_at", tzinfo=timezone.get_current_timezone())
    today_visits = Q(visited_at__gte=_aware(today), visited_at__lt=_aware(today + timedelta(days=1)))
    visit_counts = (
        Visit.objects.filter(village_id__in=ids, visited_at__gte=start, visited_at__lt=end)
        .values("village_id")
        .annotate(
            n=Count("pk"),
            households=Count("household_id", distinct=True),
            days=Count(local_day, distinct=True),
            today=Count("pk", filter=today_visits),
        )
        .order_by()
    )
    for row in visit_counts:
        f = figures[row["village_id"]]
        f.update(visits=row["n"], households_visited=row["households"], visit_days=row["days"])
        f["visit_today"] = row["today"] > 0

    present = defaultdict(set)
    for vid, day in CheckIn.objects.filter(village_id__in=ids, day__gte=first, day__lte=last).values_list(
        "village_id", "day"
    ):
        present[vid].add(day)

    meeting_weeks = defaultdict(set)
    for vid, at in Meeting.objects.filter(village_id__in=ids, held_at__gte=start, held_at__lt=end).values_list(
        "village_id", "held_at"
    ):
        day = timezone.localdate(at)
        figures[vid]["meetings"] += 1
        meeting_weeks[vid].add(day.isocalendar()[:2])
        if week <= day <= today:
            figures[vid]["meeting_this_week"] = True

    problem_counts = (
        Problem.objects.filter(village_id__in=ids)
        .values("village_id")
        .annotate(
            raised=Count("pk", filter=Q(raised_on__gte=first, raised_on__lte=last)),
            solved=Count("pk", filter=Q(status=ProblemStatus.SOLVED, closed_on__gte=first, closed_on__lte=last)),
            handed=Count("pk", filter=Q(status=ProblemStatus.HANDED_OVER, closed_on__gte=first, closed_on__lte=last)),
            open=Count("pk", filter=Q(status__in=[ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS])),
        )
        .order_by()
    )
    for row in problem_counts:
        f = figures[row["village_id"]]
        f.update(problems_raised=row["raised"], problems_solved=row["solved"], problems_handed_over=row["handed"])
        f["problems_open"] = row["open"]

    for vid, starts, ends in LeaveRequest.objects.filter(
        village_id__in=ids, status=LeaveStatus.APPROVED, starts_on__lte=last, ends_on__gte=first
    ).values_list("village_id", "starts_on", "ends_on"):
        figures[vid]["leave_days"] += (min(ends, last) - max(starts, first)).days + 1

    for vid, f in figures.items():
        f["days_present"] = len(present[vid])
        f["meeting_weeks"] = len(meeting_weeks[vid])
        f["visit_rate"] = round(100 * f["households_visited"] / f["households"], 1) if f["households"] else 0.0
        f["problem_this_month"] = f["problems_solved"] + f["problems_handed_over"] > 0
        f["present_ok"] = f["days_present"] >= f["days_required"]
    return figures


def _empty_figures() -> dict:
    return {
        "households": 0,
        "visits": 0,
        "visit_days": 0,
        "households_visited": 0,
        "meetings": 0,
        "problems_raised": 0,
        "problems_solved": 0,
        "problems_handed_over": 0,
        "problems_open": 0,
        "leave_days": 0,
        "days_required": conf.attendance_min_days(),
        "visit_today": False,
        "meeting_this_week": False,
    }


def monthly_figures(village: Area, year: int, month: int) -> dict:
    """The monthly work-log figures of one village (reports read this): see `figures_for_villages`."""
    return figures_for_villages([village.pk], year, month)[village.pk]


def _shortfalls(f: dict, year: int, month: int, today: date) -> int:
    """How many of the rhythm's targets a village is behind on, pro rata for the month so far."""
    first, last = month_bounds(year, month)
    elapsed = (min(today, last) - first).days + 1 if today >= first else 0
    share = elapsed / ((last - first).days + 1)
    behind = 0
    behind += f["visit_days"] < math.floor(elapsed * 0.8)  # one visit a day, some slack for rest days
    behind += f["meeting_weeks"] < math.floor(elapsed / 7)
    behind += today >= last and not f["problem_this_month"]
    behind += f["days_present"] < math.floor(f["days_required"] * share)
    return behind


def three_ones_rows(user, year: int, month: int, *, today: date | None = None) -> list[dict]:
    """The 三个一 table for every village in scope, villages falling behind first (8 queries in all)."""
    today = today or timezone.localdate()
    villages = list(villages_for_user(user).select_related("parent").order_by("code"))
    figures = figures_for_villages([v.pk for v in villages], year, month, today=today)
    rows = []
    for village in villages:
        f = figures[village.pk]
        rows.append({"village": village, **f, "behind": _shortfalls(f, year, month, today)})
    rows.sort(key=lambda r: (-r["behind"], r["visit_rate"], r["days_present"], r["village"].code))
    return rows


def cadre_calendar(user, village: Area, year: int, month: int, *, today: date | None = None) -> dict:
    """A cadre's month: per day whether they visited, checked in, were on leave; the visit streak."""
    today = today or timezone.localdate()
    first, last = month_bounds(year, month)
    visit_days = {
        timezone.localdate(at)
        for at in Visit.objects.filter(
            visitor=user,
            village=village,
            visited_at__gte=_aware(first - timedelta(days=366)),
            visited_at__lt=_aware(last + timedelta(days=1)),
        ).values_list("visited_at", flat=True)
    }
    checkins = set(
        CheckIn.objects.filter(user=user, village=village, day__gte=first, day__lte=last).values_list("day", flat=True)
    )
    leave = set()
    for starts, ends in LeaveRequest.objects.filter(
        user=user, status=LeaveStatus.APPROVED, starts_on__lte=last, ends_on__gte=first
    ).values_list("starts_on", "ends_on"):
        day = max(starts, first)
        while day <= min(ends, last):
            leave.add(day)
            day += timedelta(days=1)
    meeting_days = {
        timezone.localdate(at)
        for at in Meeting.objects.filter(
            village=village, held_at__gte=_aware(first), held_at__lt=_aware(last + timedelta(days=1))
        ).values_list("held_at", flat=True)
    }
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "day": d,
                    "in_month": d.month == month,
                    "future": d > today,
                    "visited": d in visit_days,
                    "present": d in checkins,
                    "leave": d in leave,
                    "meeting": d in meeting_days,
                    "today": d == today,
                }
                for d in week
            ]
        )
    return {
        "weeks": weeks,
        "streak": visit_streak(visit_days, today),
        "visit_days": len([d for d in visit_days if first <= d <= last]),
        "days_present": len(checkins),
        "visited_today": today in visit_days,
        "checked_in_today": today in checkins,
    }


def visit_streak(visit_days: set[date], today: date) -> int:
    """Consecutive days with a visit up to today (or up to yesterday when today has none yet)."""
    day = today if today in visit_days else today - timedelta(days=1)
    streak = 0
    while day in visit_days:
        streak += 1
        day -= timedelta(days=1)
    return streak
