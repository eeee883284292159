"""Personal-data rights (PIPL): export everything held about a person, and anonymise it where
the law allows. Both are logged in the event log.

A person is found by ID number: households whose head has it and dispute parties with it
(through the keyed hash, no decryption), and household members with it (decrypted, within a
village when one is given). Anonymising keeps the records that the law requires to be kept
(visits, monitoring decisions, cases) but removes who they are about: names, ID numbers,
phones, health notes, exact home positions, in the current rows and in their change history.
It is refused while a procedure that needs the identity is open: a dispute case not closed,
or a monitoring procedure not decided.
"""

from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils.translation import gettext as _

from fieldwork.models import Household, Member, MonitoringRecord, MonitoringStep
from grievances.models import OPEN_STATUSES, Party
from villages.crypto import blind_index
from villages.models import Area
from villages.services import log_event

ANONYMISED = "已匿名"


class AnonymiseRefused(Exception):
    """The law needs the identity for now; nothing was changed."""


@dataclass
class Subject:
    households: list[Household] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.households or self.members or self.parties)


def subject_find(*, id_number: str, village: Area | None = None) -> Subject:
    key = blind_index(id_number)
    normalised = "".join(id_number.split()).upper()
    members = Member.objects.select_related("household__village").exclude(id_number="")
    if village is not None:
        members = members.filter(household__village=village)
    return Subject(
        households=list(Household.objects.filter(id_number_hash=key).select_related("village", "group")),
        members=[m for m in members.iterator() if "".join(m.id_number.split()).upper() == normalised],
        parties=list(Party.objects.filter(id_number_hash=key).select_related("case")),
    )


def _household_data(household: Household) -> dict:
    return {
        "number": household.number,
        "village": household.village.name,
        "group": household.group.name if household.group else "",
        "head_name": household.head_name,
        "address": household.address,
        "phone": household.phone,
        "id_number": household.id_number,
        "location": household.location.coords if household.location else None,
        "monitoring_category": household.monitoring_category,
        "members": [_member_data(m) for m in household.members.all()],
        "visits": [
            {
                "date": v.visited_at.isoformat(),
                "purpose": v.get_purpose_display(),
                "findings": v.findings,
                "needs": v.needs,
                "help_given": v.help_given,
            }
            for v in household.visits.all()
        ],
        "monitoring": [
            {"category": r.category, "step": r.get_step_display(), "reason": r.reason}
            for r in household.monitoring_records.all()
        ],
    }


def _member_data(member: Member) -> dict:
    return {
        "household": member.household.number,
        "name": member.name,
        "relation": member.get_relation_display(),
        "sex": member.get_sex_display(),
        "birth_year": member.birth_year,
        "health": member.get_health_display(),
        "health_notes": member.health_notes,
        "disability": member.disability,
        "id_number": member.id_number,
    }


def _party_data(party: Party) -> dict:
    case = party.case
    return {
        "case": case.number,
        "category": case.category,
        "status": case.get_status_display(),
        "side": party.get_role_display(),
        "name": party.name,
        "phone": party.phone,
        "id_number": party.id_number,
    }


def subject_export(*, actor, id_number: str, village: Area | None = None) -> dict:
    subject = subject_find(id_number=id_number, village=village)
    data = {
        "households": [_household_data(h) for h in subject.households],
        "members": [_member_data(m) for m in subject.members],
        "dispute_parties": [_party_data(p) for p in subject.parties],
    }
    log_event(
        "privacy.subject.exported",
        None,
        actor,
        _counts(subject),
        area=village,
        message=_("Personal data exported for a data subject"),
    )
    return data


def _counts(subject: Subject) -> dict:
    return {"households": len(subject.households), "members": len(subject.members), "parties": len(subject.parties)}


def _check_allowed(subject: Subject) -> None:
    open_cases = [p.case.number for p in subject.parties if p.case.status in OPEN_STATUSES]
    households = [h.pk for h in subject.households] + [m.household_id for m in subject.members]
    undecided = MonitoringRecord.objects.filter(household__in=households).exclude(step=MonitoringStep.DONE)
    if open_cases:
        raise AnonymiseRefused(
            _("Dispute cases still open need the identity: %(cases)s") % {"cases": ", ".join(open_cases)}
        )
    if undecided.exists():
        raise AnonymiseRefused(_("A monitoring procedure of this household is not decided yet."))


def _scrub(model, pk, **values) -> None:
    """Overwrite the row and every historical version of it."""
    model.objects.filter(pk=pk).update(**values)
    model.history.model.objects.filter(id=pk).update(**values)


@transaction.atomic
def subject_anonymise(*, actor, id_number: str, village: Area | None = None) -> Subject:
    subject = subject_find(id_number=id_number, village=village)
    _check_allowed(subject)
    for household in subject.households:
        blurred = None
        if household.location:
            blurred = Point(round(household.location.x, 2), round(household.location.y, 2), srid=4326)
        _scrub(
            Household,
            household.pk,
            head_name=ANONYMISED,
            address="",
            phone="",
            id_number="",
            id_number_hash="",
            location=blurred,
        )
        for member in household.members.all():
            _scrub(Member, member.pk, name=ANONYMISED, id_number="", health_notes="")
    for member in subject.members:
        _scrub(Member, member.pk, name=ANONYMISED, id_number="", health_notes="")
    for party in subject.parties:
        _scrub(Party, party.pk, name=ANONYMISED, id_number="", id_number_hash="", phone="")
    log_event(
        "privacy.subject.anonymised",
        None,
        actor,
        _counts(subject),
        area=village,
        message=_("Personal data anonymised for a data subject"),
    )
    return subject
