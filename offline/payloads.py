"""What each kind of queued item carries: strict parsers for the payloads phones send.

Ids in a payload are only numbers here; `services` turns them into objects through the
scoping helper, so an id outside the user's scope is a 404, never a record.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from fieldwork.models import MeetingKind, VisitPurpose
from grievances import conf as grievance_conf
from grievances.models import HandlingLevel, PartyRole, Risk, Source

TEXT = {"required": False, "allow_blank": True, "default": ""}


class GpsMixin(serializers.Serializer):
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100_000, default=None)


class VisitPayload(GpsMixin):
    household = serializers.IntegerField(min_value=1)
    visited_at = serializers.DateTimeField()
    purpose = serializers.ChoiceField(choices=VisitPurpose.choices, default=VisitPurpose.ROUTINE)
    findings = serializers.CharField(max_length=5000, **TEXT)
    needs = serializers.CharField(max_length=5000, **TEXT)
    help_given = serializers.CharField(max_length=5000, **TEXT)


class ProblemPayload(serializers.Serializer):
    village = serializers.IntegerField(min_value=1)
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, **TEXT)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingPayload(serializers.Serializer):
    village = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=MeetingKind.choices, default=MeetingKind.VILLAGE_AFFAIRS)
    held_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=100, **TEXT)
    topics = serializers.CharField(max_length=5000)
    decisions = serializers.CharField(max_length=5000, **TEXT)
    households = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500, default=list)
    names = serializers.ListField(child=serializers.CharField(max_length=50), max_length=200, default=list)


class CheckinPayload(GpsMixin):
    village = serializers.IntegerField(min_value=1)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, **TEXT)


class DisputePayload(GpsMixin):
    village = serializers.IntegerField(min_value=1)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.VISIT)
    category = serializers.ChoiceField(choices=())
    title = serializers.CharField(max_length=120)
    facts = serializers.CharField(max_length=10000)
    level = serializers.ChoiceField(choices=HandlingLevel.choices, default=HandlingLevel.VILLAGE)
    risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.LOW)
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    party_name = serializers.CharField(max_length=100)
    party_phone = serializers.CharField(max_length=30, **TEXT)
    party_role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.APPLICANT)
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Categories are local practice (settings), read when the request comes in.
        self.fields["category"].choices = grievance_conf.categories()


class HouseholdEditPayload(serializers.Serializer):
    household = serializers.IntegerField(min_value=1)
    # The version the phone's copy was made from; a different server version is a conflict.
    version = serializers.IntegerField(min_value=1)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)

    def validate(self, attrs):
        if "address" not in attrs and "phone" not in attrs:
            raise serializers.ValidationError(_("Nothing to change."))
        return attrs


PAYLOADS = {
    "visit": VisitPayload,
    "problem": ProblemPayload,
    "meeting": MeetingPayload,
    "checkin": CheckinPayload,
    "dispute": DisputePayload,
    "household_edit": HouseholdEditPayload,
}
