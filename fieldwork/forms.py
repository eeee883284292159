from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fieldwork.models import (
    CHECK_ITEMS,
    CheckResult,
    Household,
    IncomeRecord,
    LeaveRequest,
    MeetingKind,
    Member,
    MonitoringDecision,
    ProblemStatus,
    VisitPurpose,
    monitoring_choices,
)
from fieldwork.services import gps_fix

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ROWS3 = forms.Textarea(attrs={"rows": 3})


class HouseholdForm(forms.ModelForm):
    lon = forms.FloatField(label=_("longitude"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("latitude"), required=False, min_value=-90, max_value=90)

    class Meta:
        model = Household
        fields = [
            "village",
            "group",
            "number",
            "head_name",
            "address",
            "phone",
            "id_number",
            "lifted_out_of_poverty",
            "monitoring_category",
        ]
        widgets = {"phone": forms.TextInput(), "id_number": forms.TextInput()}

    def __init__(self, *args, villages, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["group"].queryset = groups
        self.fields["monitoring_category"] = forms.ChoiceField(
            label=_("monitoring category"), choices=monitoring_choices(), required=False
        )
        if self.instance.pk:
            self.fields["village"].disabled = True
            if self.instance.location:
                self.initial.update(lon=self.instance.location.x, lat=self.instance.location.y)

    def clean(self):
        data = super().clean()
        lon, lat = data.get("lon"), data.get("lat")
        if (lon is None) != (lat is None):
            raise ValidationError(_("Give both longitude and latitude, or neither."))
        data["location"] = Point(lon, lat, srid=settings.GEOMETRY_SRID) if lon is not None else None
        return data

    def _post_clean(self):
        # The service validates the model (and the duplicate ID number); skip the form's second pass.
        pass

    def values(self) -> dict:
        data = self.cleaned_data
        keys = ["group", "number", "head_name", "address", "phone", "id_number", "lifted_out_of_poverty"]
        return {
            **{k: data[k] for k in keys},
            "monitoring_category": data["monitoring_category"],
            "location": data["location"],
        }


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "relation",
            "sex",
            "birth_year",
            "education",
            "health",
            "health_notes",
            "disability",
            "labour",
            "working_away",
            "id_number",
        ]
        widgets = {"health_notes": forms.TextInput(), "id_number": forms.TextInput()}


class IncomeForm(forms.ModelForm):
    class Meta:
        model = IncomeRecord
        fields = ["year", "source", "amount", "note"]


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    group = forms.IntegerField(required=False, min_value=1)
    category = forms.CharField(required=False, max_length=20)
    not_visited = forms.IntegerField(required=False, min_value=1, max_value=3650)


def check_fields() -> dict:
    choices = [("", "—"), *CheckResult.choices]
    return {
        f"check_{code}": forms.ChoiceField(label=label, choices=choices, required=False, widget=forms.RadioSelect)
        for code, label in CHECK_ITEMS
    }


class VisitForm(forms.Form):
    """The phone form: one screen, most fields optional, GPS filled in by the page's script."""

    household = forms.IntegerField(label=_("household"), widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(label=_("date and time"), widget=DATETIME)
    purpose = forms.ChoiceField(label=_("purpose"), choices=VisitPurpose.choices, initial=VisitPurpose.ROUTINE)
    findings = forms.CharField(label=_("what was found"), required=False, widget=ROWS3, max_length=5000)
    needs = forms.CharField(label=_("needs raised"), required=False, widget=ROWS3, max_length=5000)
    help_given = forms.CharField(label=_("help given"), required=False, widget=ROWS3, max_length=5000)
    follow_up = forms.CharField(label=_("follow-up action"), required=False, max_length=300)
    follow_up_owner = forms.CharField(label=_("owner of the follow-up"), required=False, max_length=50)
    follow_up_due = forms.DateField(label=_("follow-up due on"), required=False, widget=DATE)
    raise_problem = forms.BooleanField(label=_("Raise a problem from this visit"), required=False)
    lon = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    lat = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    accuracy = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(check_fields())

    def clean_visited_at(self):
        value = self.cleaned_data["visited_at"]
        if value > timezone.now() + timezone.timedelta(minutes=10):
            raise ValidationError(_("A visit cannot be dated in the future."))
        return value

    def clean(self):
        data = super().clean()
        try:
            data["gps"] = gps_fix(data.get("lon"), data.get("lat"), data.get("accuracy"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def checks(self) -> dict:
        return {code: self.cleaned_data.get(f"check_{code}") for code, _label in CHECK_ITEMS}

    def follow_ups(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("follow_up"):
            return []
        return [{"action": data["follow_up"], "owner_name": data["follow_up_owner"], "due_on": data["follow_up_due"]}]


class ProblemForm(forms.Form):
    village = forms.ModelChoiceField(label=_("village"), queryset=None)
    title = forms.CharField(label=_("problem"), max_length=200)
    description = forms.CharField(label=_("details"), required=False, widget=ROWS3, max_length=5000)
    household = forms.IntegerField(label=_("household number (optional)"), required=False, widget=forms.HiddenInput)
    due_on = forms.DateField(label=_("due on"), required=False, widget=DATE)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()


class ProblemUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[(v, label) for v, label in ProblemStatus.choices if v != ProblemStatus.HANDED_OVER],
    )
    outcome = forms.CharField(label=_("outcome"), required=False, widget=ROWS3, max_length=5000)
    due_on = forms.DateField(label=_("due on"), required=False, widget=DATE)


class MeetingForm(forms.Form):
    village = forms.ModelChoiceField(label=_("village"), queryset=None)
    kind = forms.ChoiceField(label=_("type"), choices=MeetingKind.choices)
    held_at = forms.DateTimeField(label=_("date and time"), widget=DATETIME)
    place = forms.CharField(label=_("place"), required=False, max_length=100)
    topics = forms.CharField(label=_("topics"), widget=ROWS3, max_length=5000)
    decisions = forms.CharField(label=_("decisions"), required=False, widget=ROWS3, max_length=5000)
    minutes = forms.CharField(
        label=_("minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    attendees = forms.CharField(
        label=_("attendees"),
        required=False,
        widget=ROWS3,
        max_length=5000,
        help_text=_("One per line: a name, or a household number such as DL0012."),
    )
    follow_ups = forms.CharField(
        label=_("follow-ups"),
        required=False,
        widget=ROWS3,
        max_length=5000,
        help_text=_("One per line: action | owner | due date (YYYY-MM-DD)."),
    )
    problems = forms.CharField(
        label=_("problems to solve"),
        required=False,
        widget=ROWS3,
        max_length=5000,
        help_text=_("One per line; each becomes a problem with an owner."),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()

    def clean_held_at(self):
        value = self.cleaned_data["held_at"]
        if value > timezone.now() + timezone.timedelta(days=1):
            raise ValidationError(_("Record a meeting once it has been held."))
        return value

    def clean_follow_ups(self):
        items = []
        for line in self.cleaned_data["follow_ups"].splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            due = None
            if len(parts) > 2 and parts[2]:
                try:
                    due = forms.DateField().clean(parts[2])
                except ValidationError as exc:
                    raise ValidationError(_("Follow-up due date not understood: %(v)s") % {"v": parts[2]}) from exc
            items.append(
                {"action": parts[0][:300], "owner_name": (parts[1] if len(parts) > 1 else "")[:50], "due_on": due}
            )
        return items


class LeaveForm(forms.ModelForm):
    class Meta:
        model = LeaveRequest
        fields = ["village", "starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()

    def _post_clean(self):
        pass


class LeaveDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("decision"), choices=[("1", _("Approve")), ("0", _("Refuse"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("note on the decision"), required=False, max_length=300)


class DiaryForm(forms.Form):
    village = forms.ModelChoiceField(label=_("village"), queryset=None)
    day = forms.DateField(label=_("day"), widget=DATE)
    text = forms.CharField(label=_("entry"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()


class MonitoringStartForm(forms.Form):
    category = forms.ChoiceField(label=_("monitoring category"), choices=settings.MONITORING_CATEGORIES, required=False)
    leaving = forms.BooleanField(label=_("request to leave monitoring"), required=False)
    reason = forms.CharField(label=_("reason and risk found"), widget=ROWS3, max_length=5000)
    started_on = forms.DateField(label=_("started on"), widget=DATE)


class MonitoringAdvanceForm(forms.Form):
    on = forms.DateField(label=_("date"), widget=DATE)
    notice_from = forms.DateField(label=_("notice posted from"), required=False, widget=DATE)
    notice_to = forms.DateField(label=_("notice posted until"), required=False, widget=DATE)
    decision = forms.ChoiceField(label=_("decision"), choices=[("", "—"), *MonitoringDecision.choices], required=False)
    measures = forms.CharField(label=_("measures taken"), required=False, widget=ROWS3, max_length=5000)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))
    village = forms.ModelChoiceField(label=_("village"), queryset=None)
    valid_only = forms.BooleanField(
        label=_("Import the valid rows and skip the others"),
        required=False,
        help_text=_("Without this, nothing is imported while any row has an error."),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if villages.count() == 1:
            self.fields["village"].initial = villages.first()
