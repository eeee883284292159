"""Every write to dispute cases. The workflow is an explicit table of allowed transitions."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances import conf, notifiers
from grievances.models import (
    DEADLINE_STATUSES,
    OPEN_STATUSES,
    Agreement,
    Case,
    MediationSession,
    Party,
    ReturnVisit,
    Reveal,
    Status,
)
from villages.crypto import blind_index
from villages.models import Area, Level
from villages.services import log_event


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    event: str  # grievances.case.<event>


# The people's-mediation procedure. Anything not in this table is refused.
TRANSITIONS: dict[str, Transition] = {
    "classify": Transition(frozenset({Status.RECEIVED}), Status.CLASSIFIED, "classified"),
    "assign": Transition(frozenset({Status.CLASSIFIED, Status.ESCALATED}), Status.ASSIGNED, "assigned"),
    "start": Transition(frozenset({Status.ASSIGNED}), Status.MEDIATING, "mediation_started"),
    "agree": Transition(frozenset({Status.MEDIATING}), Status.AGREEMENT, "agreement_reached"),
    "fail": Transition(frozenset({Status.MEDIATING}), Status.FAILED, "failed"),
    "perform": Transition(frozenset({Status.AGREEMENT}), Status.PERFORMING, "performing"),
    "revisit": Transition(frozenset({Status.PERFORMING}), Status.REVISITED, "revisited"),
    "close": Transition(frozenset({Status.REVISITED}), Status.CLOSED, "closed"),
    "escalate": Transition(frozenset({Status.FAILED}), Status.ESCALATED, "escalated"),
    "refer": Transition(frozenset({Status.FAILED}), Status.REFERRED, "referred"),
    "reopen": Transition(frozenset({Status.CLOSED, Status.REFERRED}), Status.ASSIGNED, "reopened"),
}


def allowed_verbs(case: Case) -> list[str]:
    return [verb for verb, t in TRANSITIONS.items() if case.status in t.sources]


def verb_label(verb: str) -> str:
    labels = {
        "classify": _("classify"),
        "assign": _("assign"),
        "start": _("start mediation"),
        "agree": _("record an agreement"),
        "fail": _("record failed mediation"),
        "perform": _("start carrying out the agreement"),
        "revisit": _("record a return visit"),
        "close": _("close"),
        "escalate": _("escalate"),
        "refer": _("refer out"),
        "reopen": _("reopen"),
    }
    return labels[verb]


def _check(case: Case, verb: str) -> Transition:
    transition = TRANSITIONS[verb]
    if case.status not in transition.sources:
        raise ValidationError(
            _("This case is “%(status)s”: it cannot %(verb)s now.")
            % {"status": case.get_status_display(), "verb": verb_label(verb)}
        )
    return transition


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."))
    return reason[:1000]


def _move(case: Case, verb: str, actor, data: dict | None = None, **changes) -> Case:
    """Apply one allowed transition with its field changes, save and log it."""
    transition = _check(case, verb)
    previous = case.status
    case.status = transition.target
    for name, value in changes.items():
        setattr(case, name, value)
    case.full_clean()
    case.save(update_fields=["status", "updated", *changes])
    payload = {"from": previous, "to": case.status, **(data or {})}
    log_event(f"grievances.case.{transition.event}", case, actor, payload, message=_event_message(case, transition))
    return case


def _event_message(case: Case, transition: Transition) -> str:
    return f"{case.get_status_display()} · {case.number}"


def default_deadline(level: str, category: str, start: date) -> date:
    return start + timedelta(days=conf.deadline_days(level, category))


def _today() -> date:
    return timezone.localdate()


def _next_number(village: Area, year: int) -> str:
    prefix = f"{village.code}-{year}-"
    count = Case.objects.filter(number__startswith=prefix).count()
    while True:
        count += 1
        number = f"{prefix}{count:04d}"
        if not Case.objects.filter(number=number).exists():
            return number


# --- Intake --------------------------------------------------------------------------------


@dataclass
class PartyData:
    name: str
    role: str = "applicant"
    id_number: str = ""
    phone: str = ""
    household: object = None


@transaction.atomic
def case_receive(
    *,
    actor,
    village: Area,
    source: str,
    category: str,
    title: str,
    facts: str,
    level: str,
    risk: str = "low",
    group: Area | None = None,
    point: tuple[float, float] | None = None,
    source_note: str = "",
    received_on: date | None = None,
    deadline: date | None = None,
    parties: list[PartyData] | None = None,
    client_uuid: uuid.UUID | None = None,
    links: dict | None = None,
) -> tuple[Case, bool]:
    """Take in a dispute. Returns (case, created): a known `client_uuid` returns the first case.

    `links` may name the visit, meeting or problem it came from: {"source_problem": problem, ...}.
    """
    if client_uuid is not None:
        existing = Case.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    received_on = received_on or _today()
    if received_on > _today():
        raise ValidationError({"received_on": _("The day received cannot be in the future.")})
    if deadline is not None and deadline < _today():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if not parties:
        raise ValidationError(_("Name at least one party."))
    case = Case(
        number=_next_number(village, received_on.year),
        village=village,
        group=group,
        location=Point(point[0], point[1], srid=4326) if point else None,
        source=source,
        source_note=source_note,
        category=category,
        title=title,
        facts=facts,
        risk=risk,
        level=level,
        received_on=received_on,
        deadline=deadline or default_deadline(level, category, received_on),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        client_uuid=client_uuid,
    )
    for field, target in (links or {}).items():
        if target is not None:
            _check_link(case, field, target)
            setattr(case, field, target)
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # Two retries of the same offline record raced: the first one wins.
        existing = Case.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if existing is None:
            raise
        return existing, False
    for party in parties:
        party_add(actor=actor, case=case, data=party, log=False)
    log_event(
        "grievances.case.received",
        case,
        actor,
        {"to": case.status, "source": source, "level": level, "deadline": case.deadline.isoformat()},
        message=f"{case.get_status_display()} · {case.number}",
    )
    return case, True


@transaction.atomic
def party_add(*, actor, case: Case, data: PartyData, log: bool = True) -> Party:
    """Add a party; a household must belong to the case's village."""
    if not (data.name or "").strip():
        raise ValidationError({"name": _("Give the party's name.")})
    party = Party(
        case=case,
        role=data.role,
        household=data.household,
        name=data.name.strip()[:100],
        id_number=(data.id_number or "").strip().upper(),
        phone=(data.phone or "").strip(),
    )
    party.id_number_hash = blind_index(party.id_number) if party.id_number else ""
    party.full_clean()
    party.save()
    if log:
        log_event("grievances.case.party_added", case, actor, {"party": party.pk, "role": party.role})
    return party


# --- The workflow --------------------------------------------------------------------------


@transaction.atomic
def case_classify(*, actor, case: Case, category: str, risk: str, level: str, note: str = "") -> Case:
    deadline = case.deadline
    if (category, level) != (case.category, case.level):
        # The deadline follows the level and category chosen here, counted from intake.
        deadline = max(default_deadline(level, category, case.received_on), _today())
    data = {"category": category, "risk": risk, "level": level, "note": note, "deadline": deadline.isoformat()}
    return _move(case, "classify", actor, data, category=category, risk=risk, level=level, deadline=deadline)


@transaction.atomic
def case_assign(*, actor, case: Case, handler, note: str = "") -> Case:
    from grievances.selectors import can_act

    if handler is None or not can_act(handler, case):
        raise ValidationError({"handler": _("This person cannot handle cases at this level.")})
    case = _move(case, "assign", actor, {"handler": handler.pk, "note": note}, handler=handler)
    notifiers.send(
        [handler],
        kind="grievances.case.assigned",
        message=_("Dispute case %(number)s was assigned to you.") % {"number": case.number},
        url=case_url(case),
        dedupe_key=f"grievances.assigned:{case.pk}:{case.updated:%Y%m%d%H%M%S%f}",
    )
    return case


@transaction.atomic
def case_start_mediation(*, actor, case: Case) -> Case:
    return _move(case, "start", actor)


@transaction.atomic
def case_fail(*, actor, case: Case, reason: str) -> Case:
    return _move(case, "fail", actor, {"reason": _reason(reason)})


@transaction.atomic
def case_escalate(*, actor, case: Case, reason: str, on: date | None = None) -> Case:
    """Hand a failed case to the next level up with a fresh deadline; its officers are told.

    `on` is the day it was handed up (an offline record synced later); the new deadline counts from it.
    """
    reason = _reason(reason)
    next_level = case.next_level()
    if next_level is None:
        raise ValidationError(_("The case is already at the county: refer it out instead."))
    on = on or _today()
    if on > _today() or on < case.received_on:
        raise ValidationError(_("The escalation date must lie between intake and today."))
    previous = case.level
    deadline = default_deadline(next_level, case.category, on)
    case = _move(
        case,
        "escalate",
        actor,
        {"reason": reason, "from_level": previous, "to_level": next_level, "deadline": deadline.isoformat()},
        level=next_level,
        handler=None,
        deadline=deadline,
        overdue=False,
        overdue_since=None,
        escalations=case.escalations + 1,
    )
    from grievances.selectors import handlers_for

    notifiers.send(
        handlers_for(case),
        kind="grievances.case.escalated",
        message=_("Dispute case %(number)s was escalated to you: %(title)s")
        % {"number": case.number, "title": case.title},
        url=case_url(case),
        dedupe_key=f"grievances.escalated:{case.pk}:{case.escalations}",
    )
    return case


@transaction.atomic
def case_refer(*, actor, case: Case, referred_to: str, reason: str, on: date | None = None) -> Case:
    referred_to = (referred_to or "").strip()
    if not referred_to:
        raise ValidationError(
            {"referred_to": _("Say where the case was referred to (a court, arbitration, an agency).")}
        )
    data = {"referred_to": referred_to, "reason": _reason(reason)}
    return _move(case, "refer", actor, data, referred_to=referred_to[:200], resolved_on=on or _today(), outcome=reason)


@transaction.atomic
def agreement_record(
    *,
    actor,
    case: Case,
    form: str,
    signed_on: date,
    facts: str,
    disputed_points: str,
    responsibilities: str,
    terms: str,
    performance: str,
    perform_by: date,
    mediators: str,
) -> Agreement:
    """Record the agreement (Art. 28-29: every required content present) and move the case on."""
    _check(case, "agree")
    if case.parties.count() < 2:
        raise ValidationError(_("An agreement needs at least two parties on the case."))
    if signed_on > _today():
        raise ValidationError({"signed_on": _("The agreement date cannot be in the future.")})
    agreement = Agreement(
        case=case,
        form=form,
        signed_on=signed_on,
        facts=facts,
        disputed_points=disputed_points,
        responsibilities=responsibilities,
        terms=terms,
        performance=performance,
        perform_by=perform_by,
        mediators=mediators,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    agreement.full_clean()
    agreement.save()
    _move(case, "agree", actor, {"form": form, "perform_by": perform_by.isoformat()}, resolved_on=signed_on)
    return agreement


@transaction.atomic
def agreement_confirm(*, actor, agreement: Agreement, applied_on: date, court: str, result: str = "") -> Agreement:
    """Record that the parties sought court confirmation (司法确认), within 30 days of the agreement."""
    if not (court or "").strip():
        raise ValidationError({"court": _("Name the court.")})
    agreement.confirmation_applied_on = applied_on
    agreement.confirmation_court = court.strip()
    agreement.confirmation_result = (result or "").strip()
    agreement.full_clean()
    agreement.save(update_fields=["confirmation_applied_on", "confirmation_court", "confirmation_result"])
    log_event(
        "grievances.case.confirmation_recorded",
        agreement.case,
        actor,
        {"applied_on": applied_on.isoformat(), "court": agreement.confirmation_court},
    )
    return agreement


@transaction.atomic
def case_perform(*, actor, case: Case) -> Case:
    return _move(case, "perform", actor)


@transaction.atomic
def session_record(
    *, actor, case: Case, held_on: date, mediators: str, participants: str, summary: str, place: str = ""
) -> MediationSession:
    if case.status not in {Status.ASSIGNED, Status.MEDIATING}:
        raise ValidationError(_("Mediation sessions are recorded while the case is assigned or being mediated."))
    if held_on > _today():
        raise ValidationError({"held_on": _("The session date cannot be in the future.")})
    session = MediationSession(
        case=case,
        held_on=held_on,
        place=place,
        mediators=mediators,
        participants=participants,
        summary=summary,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    session.full_clean()
    session.save()
    if case.status == Status.ASSIGNED:
        _move(case, "start", actor)
    log_event("grievances.case.session_recorded", case, actor, {"session": session.pk, "held_on": held_on.isoformat()})
    return session


@transaction.atomic
def return_visit_record(
    *, actor, case: Case, visited_on: date, carried_out: bool, satisfaction: int, notes: str = ""
) -> ReturnVisit:
    """The 回访: whether the agreement was carried out and how satisfied the parties are."""
    _check(case, "revisit")
    if visited_on > _today():
        raise ValidationError({"visited_on": _("The visit date cannot be in the future.")})
    visit = ReturnVisit(
        case=case,
        visited_on=visited_on,
        carried_out=carried_out,
        satisfaction=satisfaction,
        notes=notes,
        visitor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    visit.full_clean()
    visit.save()
    data = {"carried_out": carried_out, "satisfaction": satisfaction, "visited_on": visited_on.isoformat()}
    _move(case, "revisit", actor, data)
    return visit


@transaction.atomic
def case_close(*, actor, case: Case, outcome: str = "", closed_on: date | None = None) -> Case:
    _check(case, "close")
    if not case.return_visits.exists():
        raise ValidationError(_("A case can only be closed after a return visit."))
    closed_on = closed_on or _today()
    outcome = (outcome or "").strip() or case.outcome
    return _move(case, "close", actor, {"outcome": outcome}, closed_on=closed_on, outcome=outcome)


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """Reopen a closed or referred case with a reason; it goes back to its handler with a new deadline."""
    reason = _reason(reason)
    deadline = default_deadline(case.level, case.category, _today())
    data = {"reason": reason, "deadline": deadline.isoformat()}
    return _move(
        case,
        "reopen",
        actor,
        data,
        closed_on=None,
        resolved_on=None,
        deadline=deadline,
        overdue=False,
        overdue_since=None,
    )


# --- Links to other apps ------------------------------------------------------------------


def _village_of(target) -> int | None:
    village_id = getattr(target, "village_id", None)
    if village_id is None and getattr(target, "household_id", None):
        village_id = target.household.village_id
    return village_id


def _check_link(case: Case, field: str, target) -> None:
    if field not in LINK_FIELDS or not hasattr(case, f"{field}_id"):
        raise ValidationError(_("Unknown link."))
    if target is not None and _village_of(target) != case.village_id:
        raise ValidationError(_("Only records of the case's own village can be linked."))


@transaction.atomic
def case_link(*, actor, case: Case, field: str, target) -> Case:
    """Link the case to the project, visit, meeting or problem it relates to (same village only)."""
    _check_link(case, field, target)
    setattr(case, field, target)
    case.full_clean()
    case.save(update_fields=[field, "updated"])
    data = {"field": field, "target": target.pk if target is not None else None, "label": str(target or "")}
    log_event("grievances.case.linked", case, actor, data, message=f"{_('Linked')} · {target or '—'}")
    return case


LINK_FIELDS = ("related_project", "source_visit", "source_meeting", "source_problem")


@transaction.atomic
def case_from_problem(*, actor, problem, **intake) -> tuple[Case, bool]:
    """Take in a dispute raised as a fieldwork problem: link it (and its visit or meeting) and hand it over."""
    links = {"source_problem": problem}
    for field, name in (("source_visit", "visit"), ("source_meeting", "meeting")):
        if getattr(problem, f"{name}_id", None):
            links[field] = getattr(problem, name)
    case, created = case_receive(actor=actor, village=problem.village, links=links, **intake)
    hand_over = _fieldwork_hand_over()
    if created and hand_over is not None and getattr(problem, "is_open", True):
        note = _("Taken up as dispute case %(number)s.") % {"number": case.number}
        hand_over(actor=actor, problem=problem, target="case", note=note)
    return case, created


def _fieldwork_hand_over():
    """fieldwork's `problem_hand_over` service, when that app provides it."""
    try:
        from fieldwork import services as fieldwork_services
    except ImportError:
        return None
    return getattr(fieldwork_services, "problem_hand_over", None)


# --- Deadlines -----------------------------------------------------------------------------


@transaction.atomic
def case_set_deadline(*, actor, case: Case, deadline: date, reason: str) -> Case:
    reason = _reason(reason)
    if deadline < _today():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if case.status not in DEADLINE_STATUSES:
        raise ValidationError(_("The handling deadline no longer applies to this case."))
    previous = case.deadline
    case.deadline, case.overdue, case.overdue_since = deadline, False, None
    case.full_clean()
    case.save(update_fields=["deadline", "overdue", "overdue_since", "updated"])
    data = {"from": previous.isoformat(), "to": deadline.isoformat(), "reason": reason}
    log_event("grievances.case.deadline_changed", case, actor, data)
    return case


def cases_mark_overdue(*, today: date | None = None) -> int:
    """Flag open cases past their deadline and tell the handler and the next level up (once per deadline)."""
    today = today or _today()
    pks = list(Case.objects.filter(status__in=DEADLINE_STATUSES, deadline__lt=today).values_list("pk", flat=True))
    return sum(case_mark_overdue(pk=pk, today=today) for pk in pks)


@transaction.atomic
def case_mark_overdue(*, pk: int, today: date) -> bool:
    from grievances.selectors import handlers_for, superiors_for

    case = (
        Case.objects.select_for_update(of=("self",)).filter(pk=pk).select_related("village", "village__parent").first()
    )
    if case is None or case.status not in DEADLINE_STATUSES or case.deadline >= today:
        return False
    newly = not case.overdue
    if newly:
        case.overdue, case.overdue_since = True, today
        case.save(update_fields=["overdue", "overdue_since", "updated"])
        data = {"deadline": case.deadline.isoformat(), "level": case.level}
        log_event("grievances.case.overdue", case, None, data, message=f"{_('Overdue')} · {case.number}")
    recipients = [case.handler] if case.handler else handlers_for(case)
    recipients += superiors_for(case)
    notifiers.send(
        recipients,
        kind="grievances.case.overdue",
        message=_("Dispute case %(number)s is past its deadline (%(deadline)s): %(title)s")
        % {"number": case.number, "deadline": case.deadline.isoformat(), "title": case.title},
        url=case_url(case),
        dedupe_key=f"grievances.overdue:{case.pk}:{case.deadline.isoformat()}",
    )
    return newly


# --- Privacy -------------------------------------------------------------------------------


def parties_reveal(*, actor, case: Case, purpose: str = "view") -> list[Party]:
    """The parties in full, for someone allowed to see them; every reveal is logged."""
    from grievances.selectors import can_reveal

    if not can_reveal(actor, case):
        raise ValidationError(_("You may not see the parties' personal data of this case."))
    Reveal.objects.create(case=case, user=actor, purpose=purpose[:30])
    return list(case.parties.all())


@transaction.atomic
def reveals_record(*, actor, case_ids: list[int], purpose: str) -> int:
    """Log that `actor` saw the parties of these cases in full (an export); callers check the right first."""
    Reveal.objects.bulk_create([Reveal(case_id=pk, user=actor, purpose=purpose[:30]) for pk in case_ids])
    return len(case_ids)


def case_url(case: Case) -> str:
    return reverse("grievances:case_detail", args=[case.pk])


def open_statuses() -> frozenset:
    return OPEN_STATUSES


def village_of_group(group: Area) -> Area | None:
    return group.parent if group and group.level == Level.GROUP else None
