from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Asset,
    AttachmentKind,
    EconomicCategory,
    EvidencePhoto,
    IndicatorKind,
    Method,
    PaymentType,
    ProjectType,
    PublicNotice,
    SiteKind,
    Stage,
    Unit,
)

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=ProjectType.choices)
    village = forms.ModelChoiceField(label=_("Village"), queryset=None)
    implementer = forms.CharField(label=_("Implementer"), max_length=200)
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=50)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    works = forms.CharField(label=_("Works"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    subsidy_standard = forms.CharField(label=_("Subsidy standard"), max_length=200, required=False)
    benefit = forms.CharField(
        label=_("How residents benefit"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class SiteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    geometry = forms.CharField(
        label=_("Geometry (GeoJSON, WGS-84)"),
        widget=forms.Textarea(attrs={"rows": 3, "id": "site-geojson", "spellcheck": "false"}),
        max_length=200_000,
        help_text=_("Draw on the map or paste GeoJSON."),
    )


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Next stage"), choices=Stage.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class IndicatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    comparator = forms.ChoiceField(label=_("Comparator"), choices=[("ge", "≥"), ("gt", ">"), ("le", "≤"), ("eq", "=")])
    target = forms.CharField(label=_("Target"), max_length=20)
    site_kind = forms.ChoiceField(
        label=_("Measured from sites of kind"), choices=[("", "—"), *SiteKind.choices], required=False
    )


class ActualForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.CharField(label=_("Actual"), max_length=20, required=False)
    from_sites = forms.BooleanField(label=_("Compute from the drawn sites"), required=False)
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PhotoForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=EvidencePhoto.Phase.choices)
    photo = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
    taken_at = forms.DateTimeField(label=_("Taken at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)


class AssetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    asset_class = forms.ChoiceField(label=_("Asset class"), choices=Asset.AssetClass.choices)
    owner_level = forms.ChoiceField(label=_("Owner level"), choices=Asset.OwnerLevel.choices)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    value = forms.CharField(label=_("Value (yuan)"), max_length=20)
    maintainer = forms.CharField(label=_("Maintained by"), max_length=200)
    registered_on = forms.DateField(label=_("Registered on"), widget=DATE)


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicNotice.Kind.choices)
    posted_from = forms.DateField(label=_("Posted from"), widget=DATE)
    posted_until = forms.DateField(label=_("Posted until"), widget=DATE)
    place = forms.CharField(label=_("Posted at"), max_length=200)


class NoticePhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo of the posted notice"))


class PaymentForm(forms.Form):
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=None)
    type = forms.ChoiceField(label=_("Payment type"), choices=PaymentType.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    payee = forms.CharField(label=_("Payee"), max_length=200)
    payee_account = forms.CharField(label=_("Payee account"), max_length=60, required=False)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    cash_reason = forms.CharField(label=_("Reason for cash"), max_length=300, required=False)

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = lines


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class InvoiceForm(forms.Form):
    code = forms.CharField(label=_("Invoice code"), max_length=12, required=False)
    number = forms.CharField(label=_("Invoice number"), max_length=20)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    seller = forms.CharField(label=_("Seller (payee)"), max_length=200)


class ActForm(forms.Form):
    """One chain action; `version` is the payment's version when the page was drawn."""

    action = forms.ChoiceField(choices=[("submit", "submit"), ("approve", "approve"), ("send_back", "send_back")])
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note or reason"), max_length=500, required=False)
    transfer_reference = forms.CharField(label=_("Transfer reference"), max_length=60, required=False)
    voucher_number = forms.CharField(label=_("Voucher number"), max_length=40, required=False)


class BudgetChangeForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput)
    new_amount = forms.CharField(label=_("New amount (yuan)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DecideForm(forms.Form):
    change = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.ChoiceField(choices=[("1", "approve"), ("0", "reject")])


class DepartmentBudgetForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Budget name"), max_length=200)
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class ProjectBudgetForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=None)
    name = forms.CharField(label=_("Budget name"), max_length=200)
    department_budget = forms.ModelChoiceField(label=_("Department budget"), queryset=None, required=False)

    def __init__(self, *args, projects=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["department_budget"].queryset = departments


class BudgetLineForm(forms.Form):
    project_budget = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Line name"), max_length=200)
    economic_category = forms.ChoiceField(label=_("Economic category"), choices=EconomicCategory.choices)
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class BeneficiaryForm(forms.Form):
    household = forms.IntegerField(label=_("Household"))
