import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances import conf
from grievances.models import (
    Agreement,
    AgreementForm,
    HandlingLevel,
    MediationSession,
    PartyRole,
    Risk,
    Source,
    Status,
)
from villages.models import Area, Level

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class CaseForm(forms.Form):
    """Intake on a phone: one page, the two main parties inline, more can be added later."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    village = forms.ModelChoiceField(label=_("village"), queryset=Area.objects.none())
    group = forms.ModelChoiceField(label=_("group"), queryset=Area.objects.none(), required=False)
    source = forms.ChoiceField(label=_("source"), choices=Source.choices)
    source_note = forms.CharField(
        label=_("source details"), max_length=200, required=False, help_text=_("Who brought it in, ticket number …")
    )
    category = forms.ChoiceField(label=_("category"))
    title = forms.CharField(label=_("summary"), max_length=120)
    facts = forms.CharField(label=_("facts"), widget=TEXT, max_length=5000)
    risk = forms.ChoiceField(label=_("risk"), choices=Risk.choices, initial=Risk.LOW)
    level = forms.ChoiceField(label=_("handling level"), choices=HandlingLevel.choices, initial=HandlingLevel.VILLAGE)
    received_on = forms.DateField(label=_("received on"), widget=DATE)
    deadline = forms.DateField(
        label=_("deadline"), widget=DATE, required=False, help_text=_("Empty: the configured time for the level.")
    )
    latitude = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(widget=forms.HiddenInput, required=False, min_value=-180, max_value=180)
    applicant_name = forms.CharField(label=_("applicant's name"), max_length=50)
    applicant_id_number = forms.CharField(label=_("applicant's ID number"), max_length=18, required=False)
    applicant_phone = forms.CharField(label=_("applicant's phone"), max_length=20, required=False)
    respondent_name = forms.CharField(label=_("respondent's name"), max_length=50, required=False)
    respondent_id_number = forms.CharField(label=_("respondent's ID number"), max_length=18, required=False)
    respondent_phone = forms.CharField(label=_("respondent's phone"), max_length=20, required=False)

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        villages = villages if villages is not None else Area.objects.none()
        self.fields["village"].queryset = villages
        self.fields["group"].queryset = Area.objects.filter(level=Level.GROUP, parent__in=villages).order_by("code")
        self.fields["category"].choices = conf.categories()
        self.initial.setdefault("client_uuid", uuid.uuid4())
        self.initial.setdefault("received_on", timezone.localdate())
        if len(villages) == 1:
            self.initial.setdefault("village", villages[0].pk)

    def clean(self):
        data = super().clean()
        village, group = data.get("village"), data.get("group")
        if village and group and group.parent_id != village.pk:
            self.add_error("group", _("This group does not belong to the chosen village."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("The location is incomplete."))
        return data


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("side"), choices=PartyRole.choices)
    name = forms.CharField(label=_("name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    household = forms.ModelChoiceField(label=_("household"), queryset=None, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        from fieldwork.models import Household

        self.fields["household"].queryset = Household.objects.filter(village=case.village) if case else None


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("category"))
    risk = forms.ChoiceField(label=_("risk"), choices=Risk.choices)
    level = forms.ChoiceField(label=_("handling level"), choices=HandlingLevel.choices)
    note = forms.CharField(label=_("note"), widget=TEXT, required=False, max_length=1000)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = conf.categories()
        if case:
            self.initial.update(category=case.category, risk=case.risk, level=case.level)


class AssignForm(forms.Form):
    handler = forms.ChoiceField(label=_("handler"))
    note = forms.CharField(label=_("note"), widget=TEXT, required=False, max_length=1000)

    def __init__(self, *args, case=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from grievances.selectors import handlers_for

        people = {u.pk: u for u in handlers_for(case)} if case else {}
        if user is not None and getattr(user, "is_authenticated", False):
            people.setdefault(user.pk, user)
        self.people = people
        self.fields["handler"].choices = [(pk, u.get_full_name() or u.username) for pk, u in people.items()]
        if user is not None:
            self.initial["handler"] = user.pk

    def clean_handler(self):
        return self.people[int(self.cleaned_data["handler"])]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=TEXT, max_length=1000)


class ConfirmForm(forms.Form):
    """A transition that needs no input: the button is the confirmation."""


class ReferForm(ReasonForm):
    referred_to = forms.CharField(
        label=_("referred to"), max_length=200, help_text=_("A court, an arbitration commission or an agency.")
    )


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), widget=TEXT, required=False, max_length=2000)


class DeadlineForm(ReasonForm):
    deadline = forms.DateField(label=_("new deadline"), widget=DATE)


class AgreementRecordForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "form",
            "signed_on",
            "facts",
            "disputed_points",
            "responsibilities",
            "terms",
            "performance",
            "perform_by",
            "mediators",
        ]
        widgets = {
            "signed_on": DATE,
            "perform_by": DATE,
            "facts": TEXT,
            "disputed_points": TEXT,
            "responsibilities": TEXT,
            "terms": TEXT,
            "performance": TEXT,
        }

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = AgreementForm.choices
        self.initial.setdefault("signed_on", timezone.localdate())
        if case is not None:
            self.initial.setdefault("facts", case.facts)


class ConfirmationForm(forms.Form):
    applied_on = forms.DateField(label=_("court confirmation applied on"), widget=DATE)
    court = forms.CharField(label=_("court"), max_length=100)
    result = forms.CharField(label=_("court's decision"), max_length=200, required=False)


class ReturnVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("date"), widget=DATE)
    carried_out = forms.TypedChoiceField(
        label=_("agreement carried out"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=_("satisfaction (1-5)"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "stars"}),
    )
    notes = forms.CharField(label=_("notes"), widget=TEXT, required=False, max_length=2000)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("visited_on", timezone.localdate())


class SessionForm(forms.ModelForm):
    class Meta:
        model = MediationSession
        fields = ["held_on", "place", "mediators", "participants", "summary"]
        widgets = {"held_on": DATE, "participants": TEXT, "summary": TEXT}

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("held_on", timezone.localdate())


class LedgerFilterForm(forms.Form):
    start = forms.DateField(label=_("received from"), widget=DATE, required=False)
    end = forms.DateField(label=_("received until"), widget=DATE, required=False)
    category = forms.ChoiceField(label=_("category"), required=False)
    level = forms.ChoiceField(label=_("handling level"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["category"].choices = everything + conf.categories()
        self.fields["level"].choices = everything + list(HandlingLevel.choices)
        self.fields["status"].choices = everything + list(Status.choices)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["start"] = data.get("start") or today.replace(month=1, day=1)
        data["end"] = data.get("end") or today
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class ProjectLinkForm(forms.Form):
    """Relate the case to a project of its village (a water dispute and the irrigation grant)."""

    related_project = forms.ModelChoiceField(label=_("related project"), queryset=None, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        project = apps.get_model("projects", "Project")
        self.fields["related_project"].queryset = project.objects.filter(village=case.village) if case else None
        if case is not None:
            self.initial["related_project"] = case.related_project_id
