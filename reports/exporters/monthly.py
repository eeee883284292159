"""Monthly work report (工作月报) of a village, of every village below a town, county or city, or of one cadre."""

import datetime
import importlib
from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.base import (
    DATE,
    INT,
    PERCENT,
    PERSONAL_DATA_DENIED,
    TEXT,
    Column,
    Exporter,
    Params,
    ReportData,
    ReportParamsForm,
    Section,
    Stat,
    Table,
    register,
    share,
)
from reports.exporters.common import months, source, villages_under
from villages.models import FIELD_ROLES, Event, Level, Person, RoleAssignment
from villages.selectors import filter_in_scope

ADDITIVE = (
    "days_present",
    "leave_days",
    "visits",
    "meetings",
    "problems_raised",
    "problems_solved",
    "problems_handed_over",
)
# Internal bookkeeping is not a "notable event" of village work.
QUIET_EVENT_PREFIXES = ("reports.", "villages.")


def village_figures(village_ids: list[int], start, end) -> dict[int, list[tuple[tuple[int, int], dict]]]:
    """fieldwork's monthly figures for each village and each month of the period (empty without fieldwork)."""
    figures_for_villages = source("fieldwork.selectors", "figures_for_villages")
    result: dict[int, list] = {vid: [] for vid in village_ids}
    if figures_for_villages is None:
        return result
    for year, month in months(start, end):
        for vid, figures in figures_for_villages(village_ids, year, month).items():
            result[vid].append(((year, month), figures))
    return result


def dispute_figures(params: Params, village_ids: list[int] | None = None) -> dict | None:
    """grievances' ledger figures for the area and period (None without grievances)."""
    ledger, figures_for = source("grievances.selectors", "ledger"), source("grievances.selectors", "figures_for")
    if ledger is None or figures_for is None:
        return None
    cases = ledger(params.user, start=params.start, end=params.end).filter(village__path__startswith=params.area.path)
    return figures_for(cases)


def disputes_resolved_in(village, start, end) -> int:
    resolved = source("grievances.selectors", "disputes_resolved")
    if resolved is None:
        return 0
    return sum(resolved(village, year, month) for year, month in months(start, end))


@register
class MonthlyWorkReport(Exporter):
    identifier = "monthly_work"
    verbose_name = gettext_lazy("Monthly work report")
    description = gettext_lazy(
        "Days in the village, visits and share of households visited, meetings, problems and disputes, notable events."
    )

    def build(self, params: Params) -> ReportData:
        area = params.area
        report = ReportData(
            title=_("Monthly work report of %(area)s") % {"area": area.name},
            issuer=self.issuer(area),
            area=area,
            start=params.start,
            end=params.end,
        )
        villages = list(villages_under(area))
        figures = village_figures([v.pk for v in villages], params.start, params.end)
        self.progress(30)
        if area.level == Level.VILLAGE:
            report.sections += self._village_sections(params, figures.get(area.pk, []))
        else:
            report.sections.append(self._villages_section(params, villages, figures))
        report.sections.append(self._events_section(params))
        return report

    def _village_sections(self, params: Params, monthly: list) -> list[Section]:
        totals = {key: sum(f.get(key, 0) for _m, f in monthly) for key in ADDITIVE}
        households = max((f.get("households", 0) for _m, f in monthly), default=0)
        disputes = dispute_figures(params)
        overview = Section(heading=_("Overview of the period"))
        if not monthly:
            overview.paragraphs.append(_("No fieldwork records are available for this period."))
        overview.stats = [
            Stat(_("Days in the village"), totals["days_present"], INT),
            Stat(_("Approved leave days"), totals["leave_days"], INT),
            Stat(_("Household visits"), totals["visits"], INT),
            Stat(_("Households in the village"), households, INT),
            Stat(_("Meetings held"), totals["meetings"], INT),
            Stat(_("Problems raised"), totals["problems_raised"], INT),
            Stat(_("Problems solved"), totals["problems_solved"], INT),
            Stat(_("Problems handed over"), totals["problems_handed_over"], INT),
            Stat(_("Disputes received"), disputes["received"] if disputes else 0, INT),
            Stat(_("Disputes resolved"), disputes["resolved"] if disputes else 0, INT),
        ]
        table = Table(
            title=_("Figures by month"),
            columns=[
                Column("month", _("Month")),
                Column("days_present", _("Days in the village"), INT),
                Column("days_required", _("Days required"), INT),
                Column("visits", _("Visits"), INT),
                Column("households_visited", _("Households visited"), INT),
                Column("visit_rate", _("Share of households visited (%)"), PERCENT),
                Column("meetings", _("Meetings"), INT),
                Column("problems_raised", _("Problems raised"), INT),
                Column("problems_solved", _("Problems solved"), INT),
            ],
            rows=[
                [
                    _("%(year)s-%(month)02d") % {"year": y, "month": m},
                    f["days_present"],
                    f["days_required"],
                    f["visits"],
                    f["households_visited"],
                    Decimal(str(f["visit_rate"])),
                    f["meetings"],
                    f["problems_raised"],
                    f["problems_solved"],
                ]
                for (y, m), f in monthly
            ],
        )
        return [overview, Section(heading=_("Fieldwork by month"), tables=[table])]

    def _villages_section(self, params: Params, villages: list, figures: dict) -> Section:
        rows = []
        for village in villages:
            monthly = figures.get(village.pk, [])
            totals = {key: sum(f.get(key, 0) for _m, f in monthly) for key in ADDITIVE}
            households = max((f.get("households", 0) for _m, f in monthly), default=0)
            rows.append(
                [
                    village.name,
                    village.parent.name if village.parent_id else "",
                    totals["days_present"],
                    totals["visits"],
                    households,
                    totals["meetings"],
                    totals["problems_raised"],
                    totals["problems_solved"],
                    disputes_resolved_in(village, params.start, params.end),
                ]
            )
        table = Table(
            title=_("Figures by village"),
            columns=[
                Column("village", _("Village")),
                Column("town", _("Town")),
                Column("days_present", _("Days in the village"), INT),
                Column("visits", _("Visits"), INT),
                Column("households", _("Households"), INT),
                Column("meetings", _("Meetings"), INT),
                Column("problems_raised", _("Problems raised"), INT),
                Column("problems_solved", _("Problems solved"), INT),
                Column("disputes_resolved", _("Disputes resolved"), INT),
            ],
            rows=rows,
            empty_text=_("There are no villages in this area."),
        )
        return Section(heading=_("Villages"), tables=[table])

    def _events_section(self, params: Params) -> Section:
        return events_section(params)


def notable_events(area, start, end, *, actor_id: int | None = None) -> QuerySet[Event]:
    """Events with a message in the area and period (of one actor when given), without internal bookkeeping."""
    events = Event.objects.filter(area__path__startswith=area.path, created__date__gte=start, created__date__lte=end)
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    for prefix in QUIET_EVENT_PREFIXES:
        events = events.exclude(kind__startswith=prefix)
    return events.exclude(message="").select_related("area").order_by("created", "pk")


def events_section(params: Params, *, actor_id: int | None = None) -> Section:
    events = notable_events(params.area, params.start, params.end, actor_id=actor_id)
    table = Table(
        title=_("Notable events"),
        columns=[Column("date", _("Date"), DATE), Column("area", _("Area")), Column("event", _("Event"))],
        rows=[[timezone.localtime(e.created).date(), e.area.name if e.area else "", e.message] for e in events[:200]],
    )
    return Section(heading=_("Notable events"), tables=[table])


# ---------------------------------------------------------------- the monthly work report of one cadre

CADRE_ADDITIVE = (
    "days_present",
    "leave_days",
    "visits",
    "meetings",
    "problems_raised",
    "problems_solved",
    "problems_handed_over",
)


def field_assignments(village, start: datetime.date, end: datetime.date) -> QuerySet[RoleAssignment]:
    """Field roles (first secretary, team member, village officer, 中心户长) in the village or one of its
    groups, held at some time in the period."""
    return (
        RoleAssignment.objects.filter(role__in=FIELD_ROLES)
        .filter(Q(area=village) | Q(area__parent=village))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=end))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    )


def cadres_of(village, start: datetime.date, end: datetime.date) -> list[Person]:
    ids = field_assignments(village, start, end).values("person_id")
    return list(Person.objects.filter(pk__in=ids).select_related("user").order_by("name", "pk"))


def person_for_user(user, pk) -> Person:
    """A person holding a role in the user's scope; anyone else is a 404 (we do not confirm they exist)."""
    try:
        visible = filter_in_scope(RoleAssignment.objects.filter(person_id=int(pk)), user).exists()
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if not visible:
        raise Http404
    return Person.objects.select_related("user").get(pk=pk)


def cadre_choices(user) -> list[tuple[int, str]]:
    """The cadres of the villages in the user's scope, as "name (village)" choices."""
    assignments = filter_in_scope(RoleAssignment.objects.filter(role__in=FIELD_ROLES), user).filter(
        area__level__in=[Level.VILLAGE, Level.GROUP]
    )
    labels: dict[int, tuple[str, set[str]]] = {}
    for person_id, name, level, area, parent in assignments.values_list(
        "person_id", "person__name", "area__level", "area__name", "area__parent__name"
    )[:2000]:
        labels.setdefault(person_id, (name, set()))[1].add(area if level == Level.VILLAGE else parent)
    rows = sorted(labels.items(), key=lambda item: (item[1][0], item[0]))
    return [(pk, f"{name}（{'、'.join(sorted(villages))}）") for pk, (name, villages) in rows]


class CadreParamsForm(ReportParamsForm):
    cadre = forms.IntegerField(
        label=gettext_lazy("Cadre"),
        required=False,
        widget=forms.Select,
        help_text=gettext_lazy("Leave empty for a table of every cadre of the village."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = cadre_choices(self.user)
        self.fields["cadre"].widget.choices = [("", _("All cadres of the village")), *choices]
        own = Person.objects.filter(user_id=getattr(self.user, "pk", None)).values_list("pk", flat=True).first()
        if not self.is_bound and own in {pk for pk, _label in choices}:
            self.initial.setdefault("cadre", own)

    def clean_cadre(self):
        pk = self.cleaned_data.get("cadre")
        return None if pk is None else person_for_user(self.user, pk).pk

    def clean(self):
        data = super().clean()
        cadre, area, start, end = data.get("cadre"), data.get("area"), data.get("start"), data.get("end")
        checkable = cadre and area and start and end and "end" not in self.errors
        if checkable and not field_assignments(area, start, end).filter(person_id=cadre).exists():
            self.add_error("cadre", _("This person is not a cadre of this village in the chosen period."))
        return data


def _fieldwork_selectors():
    try:
        return importlib.import_module("fieldwork.selectors")
    except ImportError:
        return None


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def village_months(village, start: datetime.date, end: datetime.date) -> dict[tuple[int, int], dict]:
    """The village's own monthly figures (households, days required), read once for all its cadres."""
    fieldwork = _fieldwork_selectors()
    if fieldwork is None:
        return {}
    return {(y, m): fieldwork.monthly_figures(village, y, m) for y, m in months(start, end)}


def cadre_month(reader, person: Person, village, year: int, month: int, village_month: dict | None) -> dict:
    """One cadre's figures for a month, read through fieldwork's selectors as its pages read them."""
    fieldwork = _fieldwork_selectors()
    figures = dict.fromkeys(CADRE_ADDITIVE, 0) | {"visited": set(), "households": 0, "days_required": 0}
    if fieldwork is None or village_month is None:
        return figures
    from fieldwork.models import ProblemStatus

    figures.update(households=village_month["households"], days_required=village_month["days_required"])
    first, last = fieldwork.month_bounds(year, month)
    since, until = _midnight(first), _midnight(last + datetime.timedelta(days=1))
    user = person.user
    meetings = fieldwork.meetings_for_user(reader, village=village.pk).filter(held_at__gte=since, held_at__lt=until)
    mine = Q(attendance__person=person) | (Q(recorded_by=user) if user else Q(pk__in=[]))
    figures["meetings"] = len(set(meetings.filter(mine).values_list("pk", flat=True)))
    if user is None:
        return figures  # a cadre without a login has no visits, check-ins or problems of their own
    calendar = fieldwork.cadre_calendar(user, village, year, month)
    days = [d for week in calendar["weeks"] for d in week if d["in_month"]]
    figures.update(days_present=calendar["days_present"], leave_days=sum(1 for d in days if d["leave"]))
    visits = fieldwork.visits_for_user(reader, village=village.pk).filter(
        visitor=user, visited_at__gte=since, visited_at__lt=until
    )
    households = list(visits.values_list("household_id", flat=True))
    figures.update(visits=len(households), visited=set(households))
    problems = fieldwork.problems_for_user(reader, village=village.pk)
    closed = problems.filter(owner=user, closed_on__gte=first, closed_on__lte=last)
    figures.update(
        problems_raised=problems.filter(raised_by=user, raised_on__gte=first, raised_on__lte=last).count(),
        problems_solved=closed.filter(status=ProblemStatus.SOLVED).count(),
        problems_handed_over=closed.filter(status=ProblemStatus.HANDED_OVER).count(),
    )
    return figures


def cadre_disputes(reader, person: Person, village, start: datetime.date, end: datetime.date) -> dict | None:
    """grievances' ledger figures for the cases the cadre handles or took in (None without grievances)."""
    ledger, figures_for = source("grievances.selectors", "ledger"), source("grievances.selectors", "figures_for")
    if ledger is None or figures_for is None:
        return None
    if person.user_id is None:
        return figures_for([])
    cases = ledger(reader, start=start, end=end, village=village)
    return figures_for(cases.filter(Q(handler_id=person.user_id) | Q(recorded_by_id=person.user_id)))


def cadre_period(reader, person: Person, village, start: datetime.date, end: datetime.date, village_figures) -> dict:
    """The cadre's figures for each month of the period and for the whole period (`village_figures`: see
    `village_months`)."""
    monthly = [
        ((y, m), cadre_month(reader, person, village, y, m, village_figures.get((y, m)))) for y, m in months(start, end)
    ]
    totals = {key: sum(f[key] for _m, f in monthly) for key in CADRE_ADDITIVE}
    visited = set().union(*(f["visited"] for _m, f in monthly))
    households = max((f["households"] for _m, f in monthly), default=0)
    disputes = cadre_disputes(reader, person, village, start, end)
    totals.update(
        households=households,
        households_visited=len(visited),
        visit_rate=share(len(visited), households),
        disputes_received=disputes["received"] if disputes else 0,
        disputes_resolved=disputes["resolved"] if disputes else 0,
    )
    return {"monthly": monthly, "totals": totals}


@register
class CadreMonthlyWorkReport(Exporter):
    identifier = "monthly_work_cadre"
    verbose_name = gettext_lazy("Monthly work report of a cadre")
    description = gettext_lazy(
        "One cadre's own days in the village, visits and share of households visited, meetings, problems raised "
        "and solved, disputes handled and notable events; without a cadre, a table of every cadre of the village."
    )
    levels = (Level.VILLAGE,)
    form_class = CadreParamsForm
    extra_params = ("cadre",)
    # A cadre's attendance and leave are personnel records, not what funders read.
    denied_roles = PERSONAL_DATA_DENIED

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._person: Person | None = None

    def person(self, params: Params) -> Person | None:
        """The chosen cadre, checked again in the background: their role may have changed since the request."""
        pk = params.extra.get("cadre")
        if not pk:
            return None
        try:
            person = person_for_user(params.user, pk)
        except Http404 as exc:
            raise ValueError(_("This person does not exist or is outside your scope.")) from exc
        if not field_assignments(params.area, params.start, params.end).filter(person=person).exists():
            raise ValueError(_("This person is not a cadre of this village in the chosen period."))
        return person

    def build(self, params: Params) -> ReportData:
        person = self._person = self.person(params)
        if person is None:
            return self._all_cadres(params)
        report = ReportData(
            title=_("Monthly work report of %(person)s, %(area)s") % {"person": person.name, "area": params.area.name},
            issuer=self.issuer(params.area),
            area=params.area,
            start=params.start,
            end=params.end,
        )
        village = village_months(params.area, params.start, params.end)
        period = cadre_period(params.user, person, params.area, params.start, params.end, village)
        self.progress(40)
        roles = field_assignments(params.area, params.start, params.end).filter(person=person)
        report.sections = [
            self._overview(person, sorted({r.get_role_display() for r in roles}), period["totals"]),
            self._by_month(period["monthly"]),
            events_section(params, actor_id=person.user_id or 0),
        ]
        return report

    def _overview(self, person: Person, roles: list[str], t: dict) -> Section:
        overview = Section(heading=_("Overview of the period"))
        if not any(t[key] for key in CADRE_ADDITIVE):
            overview.paragraphs.append(_("No fieldwork records of this cadre are available for this period."))
        overview.stats = [
            Stat(_("Cadre"), person.name, TEXT),
            Stat(_("Role"), "、".join(roles), TEXT),
            Stat(_("Days in the village"), t["days_present"], INT),
            Stat(_("Approved leave days"), t["leave_days"], INT),
            Stat(_("Household visits"), t["visits"], INT),
            Stat(_("Households visited"), t["households_visited"], INT),
            Stat(_("Households in the village"), t["households"], INT),
            Stat(_("Share of households visited (%)"), t["visit_rate"], PERCENT),
            Stat(_("Meetings attended or recorded"), t["meetings"], INT),
            Stat(_("Problems raised"), t["problems_raised"], INT),
            Stat(_("Problems solved"), t["problems_solved"], INT),
            Stat(_("Problems handed over"), t["problems_handed_over"], INT),
            Stat(_("Disputes received"), t["disputes_received"], INT),
            Stat(_("Disputes resolved"), t["disputes_resolved"], INT),
        ]
        return overview

    def _by_month(self, monthly: list) -> Section:
        table = Table(
            title=_("Figures by month"),
            columns=[
                Column("month", _("Month")),
                Column("days_present", _("Days in the village"), INT),
                Column("days_required", _("Days required"), INT),
                Column("leave_days", _("Approved leave days"), INT),
                Column("visits", _("Visits"), INT),
                Column("households_visited", _("Households visited"), INT),
                Column("visit_rate", _("Share of households visited (%)"), PERCENT),
                Column("meetings", _("Meetings"), INT),
                Column("problems_raised", _("Problems raised"), INT),
                Column("problems_solved", _("Problems solved"), INT),
            ],
            rows=[
                [
                    _("%(year)s-%(month)02d") % {"year": y, "month": m},
                    f["days_present"],
                    f["days_required"],
                    f["leave_days"],
                    f["visits"],
                    len(f["visited"]),
                    share(len(f["visited"]), f["households"]),
                    f["meetings"],
                    f["problems_raised"],
                    f["problems_solved"],
                ]
                for (y, m), f in monthly
            ],
        )
        return Section(heading=_("Fieldwork by month"), tables=[table])

    def _all_cadres(self, params: Params) -> ReportData:
        village = params.area
        report = ReportData(
            title=_("Monthly work report of the cadres of %(area)s") % {"area": village.name},
            issuer=self.issuer(village),
            area=village,
            start=params.start,
            end=params.end,
        )
        rows = []
        cadres = cadres_of(village, params.start, params.end)
        figures = village_months(village, params.start, params.end)
        for n, person in enumerate(cadres):
            t = cadre_period(params.user, person, village, params.start, params.end, figures)["totals"]
            rows.append(
                [
                    person.name,
                    t["days_present"],
                    t["visits"],
                    t["households_visited"],
                    t["visit_rate"],
                    t["meetings"],
                    t["problems_raised"],
                    t["problems_solved"],
                    t["disputes_received"],
                    t["disputes_resolved"],
                ]
            )
            self.progress(10 + 50 * (n + 1) / len(cadres))
        table = Table(
            title=_("Figures by cadre"),
            columns=[
                Column("cadre", _("Cadre")),
                Column("days_present", _("Days in the village"), INT),
                Column("visits", _("Visits"), INT),
                Column("households_visited", _("Households visited"), INT),
                Column("visit_rate", _("Share of households visited (%)"), PERCENT),
                Column("meetings", _("Meetings attended or recorded"), INT),
                Column("problems_raised", _("Problems raised"), INT),
                Column("problems_solved", _("Problems solved"), INT),
                Column("disputes_received", _("Disputes received"), INT),
                Column("disputes_resolved", _("Disputes resolved"), INT),
            ],
            rows=rows,
            empty_text=_("No cadre held a role in this village during the period."),
        )
        report.sections = [Section(heading=_("Cadres of the village"), tables=[table])]
        return report

    def filename(self, params: Params, extension: str) -> str:
        if self._person is None:
            return super().filename(params, extension)
        who = f"{params.area.name}-{self._person.name}"
        return f"{self.verbose_name}-{who}-{params.start:%Y%m%d}-{params.end:%Y%m%d}.{extension}"
