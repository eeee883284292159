"""Every write of the fieldwork app: households, visits, photos, problems, meetings, attendance, monitoring.

Views, the API, imports and the demo loader call these functions; none of them saves a model itself.
Creates that come from phones take a `client_uuid`: a retry with the same UUID returns the first record.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldwork import conf
from fieldwork.models import (
    CHECK_ITEMS,
    CheckIn,
    DiaryEntry,
    FollowUp,
    GuaranteeCheck,
    HandOverTarget,
    Household,
    IncomeRecord,
    LeaveRequest,
    LeaveStatus,
    Meeting,
    MeetingAttendance,
    Member,
    MonitoringDecision,
    MonitoringRecord,
    MonitoringStep,
    Photo,
    Problem,
    ProblemSource,
    ProblemStatus,
    Visit,
    monitoring_choices,
)
from villages import crypto
from villages.models import Area, Role
from villages.money import money
from villages.selectors import has_role
from villages.services import log_event
from villages.uploads import image_to_jpeg


class ClientUuidRefused(PermissionDenied):
    """The client UUID already names a record of another user or outside the caller's scope."""


@dataclass(frozen=True)
class GpsFix:
    lon: float
    lat: float
    accuracy_m: float | None = None

    def point(self) -> Point:
        return Point(self.lon, self.lat, srid=settings.GEOMETRY_SRID)


def gps_fix(lon, lat, accuracy_m=None) -> GpsFix | None:
    """A checked GPS fix from raw values, or None when no position was given."""
    if lon in (None, "") and lat in (None, ""):
        return None
    try:
        lon_f, lat_f = float(lon), float(lat)
        acc = None if accuracy_m in (None, "") else float(accuracy_m)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The GPS position is not a number.")) from exc
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90) or lon_f != lon_f or lat_f != lat_f:
        raise ValidationError(_("The GPS position is out of range."))
    if acc is not None and not (0 <= acc <= 100_000):
        raise ValidationError(_("The GPS accuracy is out of range."))
    return GpsFix(lon_f, lat_f, acc)


def _gps_flags(fix: GpsFix | None, village: Area) -> dict:
    if fix is None:
        return {"location": None, "accuracy_m": None, "gps_poor": False, "outside_village": False}
    point = fix.point()
    outside = village.boundary is not None and not village.boundary.contains(point)
    poor = fix.accuracy_m is None or fix.accuracy_m > conf.gps_poor_accuracy_m()
    return {"location": point, "accuracy_m": fix.accuracy_m, "gps_poor": poor, "outside_village": outside}


def _replay(model, client_uuid, *, actor, owner_field: str, village: Area | None):
    """The record a retry refers to, or None for a fresh UUID; refuses someone else's UUID."""
    if client_uuid is None:
        return None
    existing = model.objects.filter(client_uuid=client_uuid).first()
    if existing is None:
        return None
    same_owner = getattr(existing, f"{owner_field}_id") == actor.pk
    same_village = village is None or existing.village_id == village.pk
    if not (same_owner and same_village):
        raise ClientUuidRefused(_("This client UUID is already used by another record."))
    return existing


def _save_new(obj, *, client_uuid, model, actor, owner_field, village):
    """Save a new record; if a concurrent retry won the race on the UUID, return that one."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        existing = _replay(model, client_uuid, actor=actor, owner_field=owner_field, village=village)
        if existing is None:
            raise
        return existing, False
    return obj, True


# ---------------------------------------------------------------- households


HOUSEHOLD_FIELDS = (
    "group",
    "number",
    "head_name",
    "address",
    "location",
    "phone",
    "id_number",
    "lifted_out_of_poverty",
    "monitoring_category",
)


def _check_id_duplicate(household: Household) -> None:
    if not household.id_number:
        household.id_number_hash = ""
        return
    household.id_number_hash = crypto.blind_index(household.id_number)
    clash = Household.objects.filter(id_number_hash=household.id_number_hash).exclude(pk=household.pk)
    if clash.exists():
        raise ValidationError({"id_number": _("Another household already has this ID number.")})


def _category_label(code: str) -> str:
    return str(dict(monitoring_choices()).get(code, code))


@transaction.atomic
def household_create(*, actor, village: Area, **values) -> Household:
    household = Household(village=village, **{k: v for k, v in values.items() if k in HOUSEHOLD_FIELDS})
    _check_id_duplicate(household)
    household.full_clean()
    household.save()
    log_event(
        "fieldwork.household.created", household, actor, {"number": household.number}, message=_("Household created.")
    )
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **values) -> Household:
    changed = [k for k, v in values.items() if k in HOUSEHOLD_FIELDS and getattr(household, k) != v]
    if not changed:
        return household
    old_category = household.monitoring_category
    for key in changed:
        setattr(household, key, values[key])
    _check_id_duplicate(household)
    household.version += 1
    household.full_clean()
    household.save(update_fields=[*changed, "id_number_hash", "version", "updated"])
    # Field names only: the event log must never carry personal data.
    data = {"fields": changed}
    if "monitoring_category" in changed:
        data.update(category_from=old_category, category_to=household.monitoring_category)
    labels = "、".join(str(Household._meta.get_field(name).verbose_name) for name in changed)
    message = _("Changed: %(fields)s") % {"fields": labels}
    if "monitoring_category" in changed:
        message += " · " + _("monitoring category: %(old)s → %(new)s") % {
            "old": _category_label(old_category),
            "new": household.monitoring_label,
        }
    log_event("fieldwork.household.updated", household, actor, data, message=message)
    return household


@transaction.atomic
def member_save(*, actor, household: Household, member: Member | None = None, **values) -> Member:
    member = member or Member(household=household)
    for key, value in values.items():
        setattr(member, key, value)
    member.full_clean()
    member.save()
    log_event("fieldwork.member.saved", household, actor, {"member": member.pk})
    return member


@transaction.atomic
def income_set(*, actor, household: Household, year: int, source: str, amount: Decimal, note: str = "") -> IncomeRecord:
    record = IncomeRecord.objects.filter(household=household, year=year, source=source).first()
    record = record or IncomeRecord(household=household, year=year, source=source)
    record.amount, record.note = money(amount), note
    record.full_clean()
    record.save()
    log_event("fieldwork.income.set", household, actor, {"year": year, "source": source})
    return record


@transaction.atomic
def guarantee_check_record(
    *, actor, household: Household, checked_on: date, results: dict, note: str = "", visit: Visit | None = None
) -> GuaranteeCheck | None:
    """Record the 两不愁三保障 items that were checked; nothing when no item was given."""
    values = {code: results.get(code) or "" for code, _label in CHECK_ITEMS}
    if not any(values.values()) and not note:
        return None
    check = GuaranteeCheck(
        household=household, checked_on=checked_on, visit=visit, note=note, checked_by=actor, **values
    )
    check.full_clean()
    check.save()
    log_event("fieldwork.check.recorded", household, actor, {"risks": [c for c, v in values.items() if v == "risk"]})
    return check


# ---------------------------------------------------------------- monitoring


@transaction.atomic
def monitoring_start(
    *, actor, household: Household, category: str, reason: str, started_on: date, leaving: bool = False
) -> MonitoringRecord:
    if household.monitoring_records.exclude(step=MonitoringStep.DONE).exists():
        raise ValidationError(_("This household already has a monitoring procedure under way."))
    if leaving and not household.monitoring_category:
        raise ValidationError(_("The household is not monitored, so it cannot leave monitoring."))
    record = MonitoringRecord(
        household=household,
        category=household.monitoring_category if leaving else category,
        leaving=leaving,
        reason=reason,
        started_on=started_on,
        created_by=actor,
    )
    record.full_clean()
    record.save()
    log_event(
        "fieldwork.monitoring.started",
        household,
        actor,
        {"record": record.pk, "leaving": leaving},
        message=_("Monitoring procedure started: %(category)s") % {"category": record.category_label},
    )
    return record


STEP_ORDER = [
    MonitoringStep.HOME_CHECK,
    MonitoringStep.APPRAISAL,
    MonitoringStep.TOWNSHIP,
    MonitoringStep.COUNTY,
    MonitoringStep.DONE,
]


@transaction.atomic
def monitoring_advance(
    *,
    actor,
    record: MonitoringRecord,
    on: date,
    notice_from: date | None = None,
    notice_to: date | None = None,
    decision: str = "",
    measures: str = "",
) -> MonitoringRecord:
    """Complete the current step on date `on`. The county step needs a decision; a decision may change the category."""
    step = record.step
    village = record.household.village
    fields = ["step"]
    if step == MonitoringStep.DONE:
        raise ValidationError(_("This procedure is already decided."))
    if step == MonitoringStep.HOME_CHECK:
        record.consent_on = on
        fields.append("consent_on")
    elif step == MonitoringStep.APPRAISAL:
        if not (notice_from and notice_to):
            raise ValidationError(_("Give the dates the public notice was posted."))
        if notice_to > on:
            raise ValidationError(_("The notice period has not ended yet."))
        record.notice_from, record.notice_to = notice_from, notice_to
        fields += ["notice_from", "notice_to"]
    elif step == MonitoringStep.TOWNSHIP:
        if not has_role(actor, {Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER}, village) and not actor.is_superuser:
            raise PermissionDenied(_("The township reviews this step."))
        record.township_on = on
        fields.append("township_on")
    elif step == MonitoringStep.COUNTY:
        if not has_role(actor, Role.COUNTY_OFFICER, village) and not actor.is_superuser:
            raise PermissionDenied(_("The county decides this step."))
        if decision not in MonitoringDecision.values:
            raise ValidationError(_("Choose the county's decision."))
        record.decided_on, record.decision = on, decision
        fields += ["decided_on", "decision"]
    if measures:
        record.measures = measures
        fields.append("measures")
    record.step = STEP_ORDER[STEP_ORDER.index(step) + 1]
    record.full_clean()
    record.save(update_fields=fields)
    log_event(
        "fieldwork.monitoring.advanced",
        record.household,
        actor,
        {"record": record.pk, "step": step},
        message=_("Monitoring step done: %(step)s") % {"step": MonitoringStep(step).label},
    )
    if record.step == MonitoringStep.DONE:
        _apply_decision(actor=actor, record=record)
    return record


def _apply_decision(*, actor, record: MonitoringRecord) -> None:
    household = record.household
    if record.decision == MonitoringDecision.INCLUDE:
        household_update(actor=actor, household=household, monitoring_category=record.category)
    elif record.decision == MonitoringDecision.EXIT:
        household_update(actor=actor, household=household, monitoring_category="")


# ---------------------------------------------------------------- photos


@transaction.atomic
def photo_add(
    *, actor, upload, visit: Visit | None = None, meeting: Meeting | None = None, client_uuid=None, caption: str = ""
) -> tuple[Photo, bool]:
    """Attach one photo to a visit or meeting; a retried upload with the same UUID returns the first photo."""
    parent = visit or meeting
    existing = _replay(Photo, client_uuid, actor=actor, owner_field="uploaded_by", village=parent.village)
    if existing is not None:
        if existing.visit_id != (visit.pk if visit else None) or existing.meeting_id != (
            meeting.pk if meeting else None
        ):
            raise ClientUuidRefused(_("This client UUID is already used by another record."))
        return existing, False
    jpeg, width, height = image_to_jpeg(upload)
    photo = Photo(
        village=parent.village,
        visit=visit,
        meeting=meeting,
        width=width,
        height=height,
        size=len(jpeg),
        caption=caption[:200],
        client_uuid=client_uuid or uuid.uuid4(),
        uploaded_by=actor,
    )
    photo.image.save("photo.jpg", ContentFile(jpeg), save=False)
    stored = photo.image
    try:
        photo.full_clean()
        photo, created = _save_new(
            photo, client_uuid=client_uuid, model=Photo, actor=actor, owner_field="uploaded_by", village=parent.village
        )
    except Exception:
        stored.delete(save=False)  # no row, so no file either
        raise
    if not created:
        stored.delete(save=False)  # a concurrent retry saved the same photo first: keep only its file
    else:
        log_event("fieldwork.photo.added", parent, actor, {"photo": photo.pk})
    return photo, created


# ---------------------------------------------------------------- visits


@transaction.atomic
def visit_record(
    *,
    actor,
    household: Household,
    visited_at: datetime,
    purpose: str = "routine",
    findings: str = "",
    needs: str = "",
    help_given: str = "",
    gps: GpsFix | None = None,
    checks: dict | None = None,
    follow_ups: list[dict] | None = None,
    client_uuid=None,
) -> tuple[Visit, bool]:
    """Log a household visit. Returns (visit, created); a retry with the same client UUID returns the first."""
    existing = _replay(Visit, client_uuid, actor=actor, owner_field="visitor", village=household.village)
    if existing is not None:
        return existing, False
    visit = Visit(
        household=household,
        village=household.village,
        visitor=actor,
        visited_at=visited_at,
        purpose=purpose,
        findings=findings,
        needs=needs,
        help_given=help_given,
        client_uuid=client_uuid,
        **_gps_flags(gps, household.village),
    )
    visit.full_clean(validate_unique=False)
    visit, created = _save_new(
        visit, client_uuid=client_uuid, model=Visit, actor=actor, owner_field="visitor", village=household.village
    )
    if not created:
        return visit, False
    guarantee_check_record(
        actor=actor, household=household, checked_on=timezone.localdate(visited_at), results=checks or {}, visit=visit
    )
    for item in follow_ups or []:
        follow_up_add(actor=actor, village=household.village, visit=visit, **item)
    log_event(
        "fieldwork.visit.recorded",
        visit,
        actor,
        {"household": household.pk, "gps_poor": visit.gps_poor, "outside_village": visit.outside_village},
    )
    return visit, True


@transaction.atomic
def follow_up_add(
    *,
    actor,
    village: Area,
    action: str,
    owner_name: str = "",
    due_on: date | None = None,
    visit: Visit | None = None,
    meeting: Meeting | None = None,
) -> FollowUp:
    follow_up = FollowUp(
        village=village, visit=visit, meeting=meeting, action=action, owner_name=owner_name, due_on=due_on
    )
    follow_up.full_clean()
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_done(*, actor, follow_up: FollowUp, on: date) -> FollowUp:
    follow_up.done_on = on
    follow_up.save(update_fields=["done_on"])
    log_event("fieldwork.follow_up.done", follow_up, actor, {"follow_up": follow_up.pk}, area=follow_up.village)
    return follow_up


# ---------------------------------------------------------------- problems


@transaction.atomic
def problem_raise(
    *,
    actor,
    village: Area,
    title: str,
    description: str = "",
    household: Household | None = None,
    visit: Visit | None = None,
    meeting: Meeting | None = None,
    raised_on: date | None = None,
    owner=None,
    due_on: date | None = None,
    client_uuid=None,
) -> tuple[Problem, bool]:
    existing = _replay(Problem, client_uuid, actor=actor, owner_field="raised_by", village=village)
    if existing is not None:
        return existing, False
    source = ProblemSource.VISIT if visit else ProblemSource.MEETING if meeting else ProblemSource.DIRECT
    problem = Problem(
        village=village,
        household=household or (visit.household if visit else None),
        title=title,
        description=description,
        source=source,
        visit=visit,
        meeting=meeting,
        raised_on=raised_on or timezone.localdate(),
        owner=owner or actor,
        due_on=due_on,
        raised_by=actor,
        client_uuid=client_uuid,
    )
    if raised_on and raised_on > timezone.localdate():
        raise ValidationError({"raised_on": _("A problem cannot be raised in the future.")})
    problem.full_clean(validate_unique=False)
    problem, created = _save_new(
        problem, client_uuid=client_uuid, model=Problem, actor=actor, owner_field="raised_by", village=village
    )
    if created:
        log_event("fieldwork.problem.raised", problem, actor, {"source": source}, message=_("Problem raised."))
    return problem, created


@transaction.atomic
def problem_raise_from_visit(*, actor, visit: Visit) -> Problem:
    """The one-tap problem of the visit page: titled from the needs or findings, owned by the visitor."""
    text = (visit.needs or visit.findings or "").strip()
    title = (
        text.splitlines()[0][:80]
        if text
        else _("Problem found visiting %(head)s") % {"head": visit.household.head_name}
    )
    existing = visit.problems.first()
    if existing is not None:
        return existing
    problem, _created = problem_raise(
        actor=actor,
        village=visit.village,
        title=title,
        description=text,
        visit=visit,
        raised_on=timezone.localdate(visit.visited_at),
    )
    return problem


@transaction.atomic
def problem_update(
    *,
    actor,
    problem: Problem,
    status: str,
    outcome: str = "",
    owner=None,
    due_on: date | None = None,
    on: date | None = None,
) -> Problem:
    if not problem.is_open:
        raise ValidationError(_("This problem is already closed."))
    if status == ProblemStatus.HANDED_OVER:
        raise ValidationError(_("Hand a problem over from the dispute case or project that takes it."))
    fields = ["status", "outcome", "owner", "due_on", "closed_on"]
    problem.status, problem.outcome = status, outcome or problem.outcome
    problem.owner = owner or problem.owner
    problem.due_on = due_on or problem.due_on
    problem.closed_on = (on or timezone.localdate()) if status == ProblemStatus.SOLVED else None
    problem.full_clean()
    problem.save(update_fields=fields)
    log_event(
        "fieldwork.problem.updated",
        problem,
        actor,
        {"status": status},
        message=f"{_('Problem updated.')} {problem.get_status_display()}",
    )
    return problem


@transaction.atomic
def problem_hand_over(*, actor, problem: Problem, target: str, note: str) -> Problem:
    """Mark a problem handed over to a dispute case or a project (called by those apps when they take it)."""
    if target not in HandOverTarget.values:
        raise ValidationError(_("Unknown hand-over target."))
    if problem.status == ProblemStatus.SOLVED:
        raise ValidationError(_("A solved problem cannot be handed over."))
    problem.status = ProblemStatus.HANDED_OVER
    problem.handed_over_to = target
    problem.outcome = note or problem.outcome
    problem.closed_on = problem.closed_on or timezone.localdate()
    problem.full_clean()
    problem.save(update_fields=["status", "handed_over_to", "outcome", "closed_on"])
    label = f"{problem.get_status_display()}: {problem.get_handed_over_to_display()}"
    log_event("fieldwork.problem.handed_over", problem, actor, {"target": target}, message=f"{label} {note}"[:200])
    return problem


# ---------------------------------------------------------------- meetings


@transaction.atomic
def meeting_record(
    *,
    actor,
    village: Area,
    kind: str,
    held_at: datetime,
    topics: str,
    place: str = "",
    decisions: str = "",
    minutes: str = "",
    people=(),
    households=(),
    names=(),
    follow_ups: list[dict] | None = None,
    problems: list[str] | None = None,
    client_uuid=None,
) -> tuple[Meeting, bool]:
    existing = _replay(Meeting, client_uuid, actor=actor, owner_field="recorded_by", village=village)
    if existing is not None:
        return existing, False
    meeting = Meeting(
        village=village,
        kind=kind,
        held_at=held_at,
        place=place,
        topics=topics,
        decisions=decisions,
        minutes=minutes,
        recorded_by=actor,
        client_uuid=client_uuid,
    )
    meeting.full_clean(validate_unique=False)
    meeting, created = _save_new(
        meeting, client_uuid=client_uuid, model=Meeting, actor=actor, owner_field="recorded_by", village=village
    )
    if not created:
        return meeting, False
    for household in households:
        if household.village_id != village.pk:
            raise ValidationError(_("An attending household is not of this village."))
    rows = [MeetingAttendance(meeting=meeting, person=p) for p in people]
    rows += [MeetingAttendance(meeting=meeting, household=h) for h in households]
    rows += [MeetingAttendance(meeting=meeting, name=n[:50]) for n in names if n.strip()]
    MeetingAttendance.objects.bulk_create(rows)
    for item in follow_ups or []:
        follow_up_add(actor=actor, village=village, meeting=meeting, **item)
    for title in problems or []:
        problem_raise(
            actor=actor, village=village, title=title[:200], meeting=meeting, raised_on=timezone.localdate(held_at)
        )
    log_event("fieldwork.meeting.recorded", meeting, actor, {"attendees": len(rows)})
    return meeting, True


# ---------------------------------------------------------------- attendance and diary


@transaction.atomic
def checkin_record(
    *, actor, village: Area, gps: GpsFix | None = None, at: datetime | None = None, note: str = "", client_uuid=None
) -> tuple[CheckIn, bool]:
    """Today's check-in in the village; checking in twice the same day returns the first check-in."""
    existing = _replay(CheckIn, client_uuid, actor=actor, owner_field="user", village=village)
    if existing is not None:
        return existing, False
    at = at or timezone.now()
    if at > timezone.now() + timezone.timedelta(minutes=10):
        raise ValidationError(_("A check-in cannot be in the future."))
    day = timezone.localdate(at)
    same_day = CheckIn.objects.filter(user=actor, village=village, day=day).first()
    if same_day is not None:
        return same_day, False
    checkin = CheckIn(
        user=actor,
        village=village,
        day=day,
        checked_at=at,
        note=note,
        client_uuid=client_uuid,
        **_gps_flags(gps, village),
    )
    checkin.full_clean(validate_unique=False, validate_constraints=False)
    checkin, created = _save_new(
        checkin, client_uuid=client_uuid, model=CheckIn, actor=actor, owner_field="user", village=village
    )
    if created:
        log_event("fieldwork.checkin.recorded", checkin, actor, {"outside_village": checkin.outside_village})
    return checkin, created


@transaction.atomic
def leave_request(*, actor, village: Area, starts_on: date, ends_on: date, reason: str) -> LeaveRequest:
    overlapping = LeaveRequest.objects.filter(user=actor, starts_on__lte=ends_on, ends_on__gte=starts_on).exclude(
        status=LeaveStatus.REJECTED
    )
    if overlapping.exists():
        raise ValidationError(_("You already asked for leave on some of these days."))
    leave = LeaveRequest(user=actor, village=village, starts_on=starts_on, ends_on=ends_on, reason=reason)
    leave.full_clean()
    leave.save()
    log_event("fieldwork.leave.requested", leave, actor, {"days": leave.days})
    return leave


def leave_can_decide(user, leave: LeaveRequest) -> bool:
    """The township approves short leave, the county longer leave; nobody approves their own."""
    if user.pk == leave.user_id:
        return False
    if user.is_superuser:
        return True
    if leave.needs_county:
        return has_role(user, Role.COUNTY_OFFICER, leave.village)
    return has_role(user, {Role.TOWNSHIP_OFFICER, Role.COUNTY_OFFICER}, leave.village)


@transaction.atomic
def leave_decide(*, actor, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    if leave.status != LeaveStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not leave_can_decide(actor, leave):
        raise PermissionDenied(
            _("Leave of more than %(days)s days is approved by the county.") % {"days": conf.leave_township_max_days()}
        )
    leave.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
    leave.decided_by, leave.decided_at, leave.decision_note = actor, timezone.now(), note
    leave.full_clean()
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log_event("fieldwork.leave.decided", leave, actor, {"status": leave.status})
    return leave


@transaction.atomic
def diary_write(*, actor, village: Area, day: date, text: str) -> DiaryEntry:
    if day > timezone.localdate():
        raise ValidationError(_("A diary entry cannot be dated in the future."))
    entry = DiaryEntry(user=actor, village=village, day=day, text=text)
    entry.full_clean()
    entry.save()
    log_event("fieldwork.diary.written", entry, actor, {"day": day.isoformat()})
    return entry
