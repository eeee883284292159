"""Writes arriving from the phone's queue: one queued item → one call of a fieldwork or grievances service.

The phone sends `{kind, client_uuid, payload}`; the client UUID is the idempotency key (the
services return the first record on a retry). Ids inside payloads are resolved through the
scoping helper with `write=True`, so a replayed or tampered item naming a household or village
outside the user's scope is a 404, a read-only user's item a 403, and another user's UUID a 403.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from fieldwork import services as fieldwork
from fieldwork.models import Household, Meeting, Visit
from grievances import services as grievances
from grievances.models import Case
from grievances.selectors import villages_for_intake
from offline import selectors
from offline.payloads import PAYLOADS

KINDS = tuple(PAYLOADS)
PHOTO_PARENTS = {"visit": Visit, "meeting": Meeting}


class UnknownKind(serializers.ValidationError):
    pass


class Conflict(Exception):
    """A stale edit: the phone's copy is older than the server's; the user must choose."""

    def __init__(self, message: str, *, server: dict, mine: dict):
        super().__init__(message)
        self.message, self.server, self.mine = message, server, mine


@dataclass
class Submitted:
    kind: str
    obj: object
    created: bool
    url: str = ""

    def as_dict(self, client_uuid) -> dict:
        return {
            "kind": self.kind,
            "client_uuid": str(client_uuid),
            "id": self.obj.pk,
            "created": self.created,
            "url": self.url,
        }


def _url(name: str, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the page may not exist (yet); the record is what matters
        return ""


def _gps(data: dict):
    return fieldwork.gps_fix(data.get("lon"), data.get("lat"), data.get("accuracy_m"))


def _parse(kind: str, payload) -> dict:
    if kind not in PAYLOADS:
        raise UnknownKind({"kind": [_("Unknown kind of record.")]})
    if not isinstance(payload, dict):
        raise serializers.ValidationError({"payload": [_("The record is missing or malformed.")]})
    parser = PAYLOADS[kind](data=payload)
    parser.is_valid(raise_exception=True)
    return parser.validated_data


def _visit(actor, data, client_uuid) -> Submitted:
    household = selectors.household_for_user(actor, data["household"], write=True)
    visit, created = fieldwork.visit_record(
        actor=actor,
        household=household,
        visited_at=data["visited_at"],
        purpose=data["purpose"],
        findings=data["findings"],
        needs=data["needs"],
        help_given=data["help_given"],
        gps=_gps(data),
        client_uuid=client_uuid,
    )
    return Submitted("visit", visit, created, _url("fieldwork:visit_detail", visit.pk))


def _problem(actor, data, client_uuid) -> Submitted:
    village = selectors.village_for_user(actor, data["village"], write=True)
    household = None
    if data["household"]:
        household = selectors.household_for_user(actor, data["household"], write=True)
    problem, created = fieldwork.problem_raise(
        actor=actor,
        village=village,
        household=household,
        title=data["title"],
        description=data["description"],
        due_on=data["due_on"],
        client_uuid=client_uuid,
    )
    return Submitted("problem", problem, created, _url("fieldwork:problem_detail", problem.pk))


def _meeting(actor, data, client_uuid) -> Submitted:
    village = selectors.village_for_user(actor, data["village"], write=True)
    households = [selectors.household_for_user(actor, pk, write=True) for pk in dict.fromkeys(data["households"])]
    meeting, created = fieldwork.meeting_record(
        actor=actor,
        village=village,
        kind=data["kind"],
        held_at=data["held_at"],
        place=data["place"],
        topics=data["topics"],
        decisions=data["decisions"],
        households=households,
        names=data["names"],
        client_uuid=client_uuid,
    )
    return Submitted("meeting", meeting, created, _url("fieldwork:meeting_detail", meeting.pk))


def _checkin(actor, data, client_uuid) -> Submitted:
    village = selectors.village_for_user(actor, data["village"], write=True)
    checkin, created = fieldwork.checkin_record(
        actor=actor, village=village, gps=_gps(data), at=data["at"], note=data["note"], client_uuid=client_uuid
    )
    return Submitted("checkin", checkin, created)


def _dispute(actor, data, client_uuid) -> Submitted:
    village = selectors.village_for_user(actor, data["village"], write=True)
    if not villages_for_intake(actor).filter(pk=village.pk).exists():
        raise PermissionDenied(_("You cannot take in disputes in this village."))
    # case_receive returns any case with this UUID; never hand another user's case to a replay.
    existing = Case.objects.filter(client_uuid=client_uuid).first()
    if existing is not None and (existing.recorded_by_id != actor.pk or existing.village_id != village.pk):
        raise fieldwork.ClientUuidRefused(_("This client UUID is already used by another record."))
    household = None
    if data["household"]:
        household = selectors.household_for_user(actor, data["household"], write=True)
        if household.village_id != village.pk:
            raise serializers.ValidationError({"household": [_("The household does not belong to this village.")]})
    fix = _gps(data)
    case, created = grievances.case_receive(
        actor=actor,
        village=village,
        source=data["source"],
        category=data["category"],
        title=data["title"],
        facts=data["facts"],
        level=data["level"],
        risk=data["risk"],
        point=(fix.lon, fix.lat) if fix else None,
        received_on=data["received_on"],
        parties=[
            grievances.PartyData(
                name=data["party_name"], role=data["party_role"], phone=data["party_phone"], household=household
            )
        ],
        client_uuid=client_uuid,
    )
    return Submitted("dispute", case, created, _url("grievances:case_detail", case.pk))


EDITABLE = ("address", "phone")


def _household_edit(actor, data, client_uuid) -> Submitted:
    """Apply an edit made on the phone, unless the server's copy changed since the phone's copy was made."""
    household = selectors.household_for_user(actor, data["household"], write=True)
    wanted = {k: data[k] for k in EDITABLE if k in data}
    if "phone" in wanted and not selectors.can_see_personal(actor, household):
        raise PermissionDenied(_("Your role does not allow changing this household's phone."))
    household = Household.objects.select_for_update().get(pk=household.pk)
    current = {k: getattr(household, k) for k in wanted}
    if data["version"] != household.version:
        if current == wanted:  # a retry of an edit that already arrived, or the same change made twice
            return Submitted("household_edit", household, False, _url("fieldwork:household_detail", household.pk))
        raise Conflict(
            _("Someone changed this household after your copy was made. Choose which version to keep."),
            server={"version": household.version, **current},
            mine=wanted,
        )
    fieldwork.household_update(actor=actor, household=household, **wanted)
    return Submitted("household_edit", household, True, _url("fieldwork:household_detail", household.pk))


HANDLERS = {
    "visit": _visit,
    "problem": _problem,
    "meeting": _meeting,
    "checkin": _checkin,
    "dispute": _dispute,
    "household_edit": _household_edit,
}


@transaction.atomic
def item_submit(*, actor, kind: str, client_uuid: uuid.UUID, payload: dict) -> Submitted:
    """Create (or, on a retry, find) the record a queued item stands for. All or nothing."""
    data = _parse(kind, payload)
    return HANDLERS[kind](actor, data, client_uuid)


@transaction.atomic
def photo_submit(
    *, actor, parent_kind: str, parent_uuid: uuid.UUID, client_uuid: uuid.UUID, upload, caption: str = ""
) -> tuple[object, bool]:
    """Attach one photo to the visit or meeting the phone created with `parent_uuid`."""
    model = PHOTO_PARENTS.get(parent_kind)
    if model is None:
        raise serializers.ValidationError({"parent_kind": [_("Photos belong to a visit or a meeting.")]})
    parent = model.objects.filter(client_uuid=parent_uuid).select_related("village").first()
    if parent is None:
        raise Http404
    if parent_kind == "visit":
        selectors.household_for_user(actor, parent.household_id, write=True)
    else:
        selectors.village_for_user(actor, parent.village_id, write=True)
    return fieldwork.photo_add(
        actor=actor,
        upload=upload,
        visit=parent if parent_kind == "visit" else None,
        meeting=parent if parent_kind == "meeting" else None,
        client_uuid=client_uuid,
        caption=caption,
    )
