"""The capture forms. They are rendered by the server (labels, choices, translations) but never
posted to it: `static/js/offline/capture.js` turns a submit into a queued item, so a form filled
with no signal is kept on the phone. Field names are the payload keys of `offline.payloads`.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from fieldwork.models import MeetingKind, VisitPurpose
from grievances import conf as grievance_conf
from grievances.models import HandlingLevel, PartyRole, Risk, Source


class PhoneForm(forms.Form):
    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "village" in self.fields:
            self.fields["village"].choices = [(v.pk, v.name) for v in villages]


def _household_field(required=True):
    # Options come from the village package on the phone (offline), filled in by capture.js.
    return forms.ChoiceField(
        label=_("Household"),
        required=required,
        choices=[("", "—")],
        widget=forms.Select(attrs={"data-households": "1"}),
    )


class VisitForm(PhoneForm):
    village = forms.ChoiceField(label=_("Village"))
    household = _household_field()
    visited_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=VisitPurpose.choices)
    findings = forms.CharField(label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("Needs raised"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    help_given = forms.CharField(label=_("Help given"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProblemForm(PhoneForm):
    village = forms.ChoiceField(label=_("Village"))
    household = _household_field(required=False)
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MeetingForm(PhoneForm):
    village = forms.ChoiceField(label=_("Village"))
    kind = forms.ChoiceField(label=_("Type"), choices=MeetingKind.choices)
    held_at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=100)
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    households = forms.MultipleChoiceField(
        label=_("Households present"),
        required=False,
        choices=[],
        widget=forms.SelectMultiple(attrs={"data-households": "1", "size": 6}),
    )
    names = forms.CharField(
        label=_("Other people present"),
        required=False,
        help_text=_("One name per line."),
        widget=forms.Textarea(attrs={"rows": 2, "data-lines": "1"}),
    )


class CheckinForm(PhoneForm):
    village = forms.ChoiceField(label=_("Village"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class DisputeForm(PhoneForm):
    village = forms.ChoiceField(label=_("Village"))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.VISIT)
    category = forms.ChoiceField(label=_("Category"), choices=())
    title = forms.CharField(label=_("Summary"), max_length=120)
    facts = forms.CharField(label=_("Facts"), widget=forms.Textarea(attrs={"rows": 4}))
    level = forms.ChoiceField(label=_("Handling level"), choices=HandlingLevel.choices, initial=HandlingLevel.VILLAGE)
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices)
    party_name = forms.CharField(label=_("Party's name"), max_length=100)
    party_phone = forms.CharField(label=_("Party's phone"), required=False, max_length=30)
    party_role = forms.ChoiceField(label=_("Side"), choices=PartyRole.choices)
    household = _household_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grievance_conf.categories()


class HouseholdEditForm(PhoneForm):
    village = forms.ChoiceField(label=_("Village"))
    household = _household_field()
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30)


# kind → (form, page title, takes photos)
CAPTURE = {
    "visit": (VisitForm, _("Log a visit"), True),
    "problem": (ProblemForm, _("Raise a problem"), False),
    "meeting": (MeetingForm, _("Record a meeting"), True),
    "checkin": (CheckinForm, _("Check in"), False),
    "dispute": (DisputeForm, _("Take in a dispute"), False),
    "household_edit": (HouseholdEditForm, _("Correct a household"), False),
}
