"""Funders, grants, budgets, projects and their outputs, payments through the union's seven-step chain.

Money is Decimal yuan with two places. Geometry is WGS-84 (settings.GEOMETRY_SRID); sizes are geodesic.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages.models import PAYMENT_ROLES, Area, Level, Role

CENT = Decimal("0.01")
MONEY = {"max_digits": 14, "decimal_places": 2}


def positive_money(_field: str = ""):
    return MinValueValidator(CENT, message=_("The amount must be positive."))


class Funder(models.Model):
    class Kind(models.TextChoices):
        UNION = "union", _("Trade union")
        GOVERNMENT = "government", _("Government department")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.UNION)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Grant(models.Model):
    """Money a funder gives for a purpose and period; `area` is where it may be spent (scoping)."""

    funder = models.ForeignKey(Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="grants")
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="grants")
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[positive_money("amount")])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    conditions = models.TextField(_("conditions"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-starts_on", "code"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period ends before it starts.")})


class DepartmentBudget(models.Model):
    """部门预算: the union's (or a department's) budget for a year, split into project budgets."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="department_budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[positive_money("amount")])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department budget")
        verbose_name_plural = _("department budgets")
        ordering = ["-year", "code"]

    def __str__(self):
        return f"{self.year} {self.name}"


class ProjectType(models.TextChoices):
    IRRIGATION = "irrigation", _("Irrigation and water")
    TEA_GARDEN = "tea_garden", _("Tea-garden renovation")
    HERB_TRIAL = "herb_trial", _("Herb trial")
    CULTURE_CENTRE = "culture_centre", _("Culture centre")
    TRAINING = "training", _("Training")
    ROAD = "road", _("Road")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    APPLICATION = "application", _("Application")
    APPROVED = "approved", _("Approved")
    PRE_WORK_NOTICE = "pre_work_notice", _("Pre-work notice")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETION_NOTICE = "completion_notice", _("Completion notice")
    SELF_EVALUATED = "self_evaluated", _("Self-evaluated")
    ASSETS_REGISTERED = "assets_registered", _("Assets registered")


STAGE_ORDER = list(Stage.values)


class Project(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    village = models.ForeignKey(
        Area,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="projects",
        limit_choices_to={"level": Level.VILLAGE},
    )
    works = models.TextField(_("works"), blank=True)
    implementer = models.CharField(_("implementer"), max_length=200)
    responsible_person = models.CharField(_("responsible person"), max_length=50)
    subsidy_standard = models.CharField(_("subsidy standard"), max_length=200, blank=True)
    benefit = models.TextField(_("how residents benefit"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices, default=Stage.APPLICATION)
    beneficiaries = models.ManyToManyField(
        "fieldwork.Household", verbose_name=_("beneficiary households"), blank=True, related_name="benefiting_projects"
    )
    source_problem = models.ForeignKey(
        "fieldwork.Problem",
        verbose_name=_("raised as a problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "code"]

    def __str__(self):
        return self.name

    @property
    def area(self) -> Area:
        return self.village

    def clean(self):
        if self.village_id and self.village.level != Level.VILLAGE:
            raise ValidationError({"village": _("Choose a village.")})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period ends before it starts.")})

    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)


class ProjectStep(models.Model):
    """One lifecycle step reached: when, by whom, with which documents (Attachment.step)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=24, choices=Stage.choices)
    on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("project step")
        verbose_name_plural = _("project steps")
        ordering = ["project", "on", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="project_step_once")]

    def __str__(self):
        return f"{self.project} · {self.get_stage_display()}"


class ProjectBudget(models.Model):
    """项目预算: what one grant (optionally within a department budget) gives one project."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="budgets")
    grant = models.ForeignKey(Grant, verbose_name=_("grant"), on_delete=models.PROTECT, related_name="budgets")
    department_budget = models.ForeignKey(
        DepartmentBudget,
        verbose_name=_("department budget"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="project_budgets",
    )
    name = models.CharField(_("name"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project budget")
        verbose_name_plural = _("project budgets")
        ordering = ["project", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "grant"], name="project_budget_unique")]

    def __str__(self):
        return self.name


class EconomicCategory(models.TextChoices):
    # Government economic classification (支出经济分类), at the level offices budget in.
    GOODS_SERVICES = "302", _("Goods and services (302)")
    HOUSEHOLD_TRANSFERS = "303", _("Transfers to individuals and households (303)")
    CAPITAL_CONSTRUCTION = "309", _("Capital construction (309)")
    OTHER_CAPITAL = "310", _("Other capital spending (310)")
    OTHER = "399", _("Other spending (399)")


class BudgetLine(models.Model):
    """明细预算: a detail line; `original_amount` never changes, `current_amount` only by an approved change."""

    project_budget = models.ForeignKey(
        ProjectBudget, verbose_name=_("project budget"), on_delete=models.PROTECT, related_name="lines"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    economic_category = models.CharField(_("economic category"), max_length=4, choices=EconomicCategory.choices)
    original_amount = models.DecimalField(_("original amount"), **MONEY, validators=[positive_money("amount")])
    current_amount = models.DecimalField(_("current amount"), **MONEY, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project_budget", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class BudgetChange(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="changes"
    )
    old_amount = models.DecimalField(_("amount before"), **MONEY)
    new_amount = models.DecimalField(_("amount after"), **MONEY, validators=[MinValueValidator(0)])
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.line}: {self.old_amount} → {self.new_amount}"


class SiteKind(models.TextChoices):
    DAM = "dam", _("Dam")
    PIPE = "pipe", _("Pipe")
    RESERVOIR = "reservoir", _("Reservoir")
    TEA_GARDEN = "tea_garden", _("Tea garden")
    FIELD = "field", _("Field")
    BUILDING = "building", _("Building")
    ROAD = "road", _("Road")
    OTHER = "other", _("Other")


class ProjectSite(models.Model):
    """Where the works are: points (a dam, reservoirs), lines (a pipe), polygons (a tea garden)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="sites")
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    name = models.CharField(_("name"), max_length=100)
    geometry = models.GeometryField(_("geometry"), srid=settings.GEOMETRY_SRID)
    # Geodesic sizes, computed by the service from the geometry (never typed in).
    length_m = models.DecimalField(_("length (m)"), max_digits=12, decimal_places=1, null=True, editable=False)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=14, decimal_places=1, null=True, editable=False)
    count = models.PositiveIntegerField(_("count"), default=1, editable=False)

    class Meta:
        verbose_name = _("project site")
        verbose_name_plural = _("project sites")
        ordering = ["project", "kind", "pk"]

    def __str__(self):
        return f"{self.name} {self.label}"

    @property
    def area(self) -> Area:
        return self.project.village

    @property
    def label(self) -> str:
        from projects.labels import site_label

        return site_label(self)


class Unit(models.TextChoices):
    MU = "亩", "亩"
    METRE = "m", "m"
    PIECE_ZUO = "座", "座"
    PIECE_GE = "个", "个"
    TONNE = "t", "t"
    WAN_YUAN = "万元", "万元"
    YUAN = "元", "元"
    HOUSEHOLD = "户", "户"
    PERSON = "人", "人"
    PERCENT = "%", "%"
    TIMES = "次", "次"
    DAY = "天", "天"


class IndicatorKind(models.TextChoices):
    QUANTITY = "quantity", _("Output: quantity")
    QUALITY = "quality", _("Output: quality")
    TIMELINESS = "timeliness", _("Output: timeliness")
    COST = "cost", _("Output: cost")
    ECONOMIC = "economic", _("Benefit: economic")
    SOCIAL = "social", _("Benefit: social")
    ECOLOGICAL = "ecological", _("Benefit: ecological")
    LASTING = "lasting", _("Benefit: lasting")
    SATISFACTION = "satisfaction", _("Satisfaction")


OUTPUT_KINDS = {IndicatorKind.QUANTITY, IndicatorKind.QUALITY, IndicatorKind.TIMELINESS, IndicatorKind.COST}


class Indicator(models.Model):
    """绩效目标: a target with a unit; quantity outputs may be measured from the project's sites of one kind."""

    class Comparator(models.TextChoices):
        AT_LEAST = "ge", "≥"
        MORE_THAN = "gt", ">"
        AT_MOST = "le", "≤"
        EQUAL = "eq", "="

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=20, choices=IndicatorKind.choices)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices, default="ge")
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    # When set, the actual can be computed from the project's sites of this kind (m, 亩 or a count).
    site_kind = models.CharField(_("measured from sites of kind"), max_length=20, choices=SiteKind.choices, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["project", "kind", "pk"]

    def __str__(self):
        return f"{self.name} {self.get_comparator_display()} {self.target.normalize():f} {self.unit}"

    @property
    def area(self) -> Area:
        return self.project.village

    @property
    def is_output(self) -> bool:
        return self.kind in OUTPUT_KINDS

    def latest_actual(self):
        return self.actuals.order_by("-reported_on", "-pk").first()

    def met(self, value: Decimal | None) -> bool | None:
        if value is None:
            return None
        return {
            "ge": value >= self.target,
            "gt": value > self.target,
            "le": value <= self.target,
            "eq": value == self.target,
        }[self.comparator]


class EvidencePhoto(models.Model):
    class Phase(models.TextChoices):
        BEFORE = "before", _("Before")
        DURING = "during", _("During")
        AFTER = "after", _("After")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="photos")
    site = models.ForeignKey(
        ProjectSite, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    photo = models.ImageField(_("photo"), upload_to="projects/photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=settings.GEOMETRY_SRID, null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["project", "taken_at", "pk"]

    def __str__(self):
        return self.caption or f"{self.project} · {self.get_phase_display()}"

    @property
    def area(self) -> Area:
        return self.project.village


class IndicatorActual(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="actuals"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    reported_on = models.DateField(_("reported on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    computed = models.BooleanField(_("computed from the drawn sites"), default=False)
    evidence = models.ForeignKey(
        EvidencePhoto, verbose_name=_("evidence"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("indicator actual")
        verbose_name_plural = _("indicator actuals")
        ordering = ["indicator", "reported_on", "pk"]

    def __str__(self):
        return f"{self.indicator.name}: {self.value} ({self.reported_on})"


class PaymentType(models.TextChoices):
    WORKS = "works", _("Works under a contract")
    GOODS = "goods", _("Goods and materials")
    SERVICES = "services", _("Services")
    PAYOUT = "payout", _("Payout to people")
    COLLECTIVE = "collective", _("Collective decision spending")


class Method(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    CASH = "cash", _("Cash")


class PaymentStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    IN_CHAIN = "in_chain", _("In the approval chain")
    SENT_BACK = "sent_back", _("Sent back")
    COMPLETED = "completed", _("Completed")


# Step i of the chain is done by a holder of PAYMENT_ROLES[i].
STEP_COUNT = len(PAYMENT_ROLES)


class Payment(models.Model):
    """A payment from a budget line; `step` is the index of the chain step now waiting (0 = handler)."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="payments")
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="payments"
    )
    type = models.CharField(_("payment type"), max_length=20, choices=PaymentType.choices)
    purpose = models.CharField(_("purpose"), max_length=300)
    payee = models.CharField(_("payee"), max_length=200)
    payee_account = models.CharField(_("payee account"), max_length=60, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[positive_money("amount")])
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.TRANSFER)
    cash_reason = models.CharField(_("reason for cash"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT)
    step = models.PositiveSmallIntegerField(_("step"), default=0)
    # Bumped by every chain action: a stale form or a concurrent approval loses.
    version = models.PositiveIntegerField(default=1)
    step_since = models.DateTimeField(_("waiting since"))
    transfer_reference = models.CharField(_("transfer reference"), max_length=60, blank=True)
    voucher_number = models.CharField(_("voucher number"), max_length=40, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    sent_back_reason = models.CharField(_("reason sent back"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self):
        return f"{self.number} · {self.payee}"

    @property
    def area(self) -> Area:
        return self.project.village

    @property
    def waiting_role(self) -> str | None:
        if self.status == PaymentStatus.COMPLETED:
            return None
        return PAYMENT_ROLES[self.step]

    @property
    def waiting_role_label(self) -> str:
        role = self.waiting_role
        return Role(role).label if role else ""

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None and self.status in (PaymentStatus.IN_CHAIN, PaymentStatus.COMPLETED)


class PaymentStep(models.Model):
    class Action(models.TextChoices):
        DONE = "done", _("Done")
        SENT_BACK = "sent_back", _("Sent back")

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(_("step"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    acted_at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("payment step")
        verbose_name_plural = _("payment steps")
        ordering = ["payment", "acted_at", "pk"]

    def __str__(self):
        return f"{self.payment} · {self.get_role_display()} · {self.get_action_display()}"


class AttachmentKind(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    ACCEPTANCE = "acceptance", _("Acceptance record")
    INVOICE = "invoice", _("Invoice")
    RECIPIENT_LIST = "recipient_list", _("Named recipient list")
    MINUTES = "minutes", _("Minutes of the collective decision")
    PLAN = "plan", _("Plan or application")
    NOTICE = "notice", _("Notice")
    GRANT_DOCUMENT = "grant_document", _("Grant document")
    OTHER = "other", _("Other")


class Attachment(models.Model):
    """A document on a grant, a project, a lifecycle step or a payment (exactly one of them)."""

    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="projects/attachments/%Y/%m/")
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    step = models.ForeignKey(
        ProjectStep, verbose_name=_("step"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.title


class Invoice(models.Model):
    """发票: a paper invoice has a 10/12-digit code and an 8-digit number; a fully digital one a 20-digit number."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="invoices")
    code = models.CharField(_("invoice code"), max_length=12, blank=True)
    number = models.CharField(_("invoice number"), max_length=20)
    # code + number: unique everywhere, so no invoice can be claimed twice.
    key = models.CharField(max_length=40, unique=True, editable=False)
    issued_on = models.DateField(_("issued on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[positive_money("amount")])
    seller = models.CharField(_("seller (payee)"), max_length=200)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["payment", "issued_on", "pk"]

    def __str__(self):
        return f"{self.code} {self.number}".strip()


class Asset(models.Model):
    """资产确权: what a finished project leaves behind, who owns it and who maintains it."""

    class AssetClass(models.TextChoices):
        OPERATING = "operating", _("Operating (经营性)")
        PUBLIC = "public", _("Public-benefit (公益性)")
        HOUSEHOLD = "household", _("To households (到户类)")

    class OwnerLevel(models.TextChoices):
        COUNTY = "county", _("County")
        TOWN = "town", _("Town")
        VILLAGE = "village", _("Village collective")
        HOUSEHOLD = "household", _("Household")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="assets")
    name = models.CharField(_("name"), max_length=200)
    asset_class = models.CharField(_("asset class"), max_length=12, choices=AssetClass.choices)
    owner_level = models.CharField(_("owner level"), max_length=12, choices=OwnerLevel.choices)
    owner = models.CharField(_("owner"), max_length=200)
    value = models.DecimalField(_("value (yuan)"), **MONEY, validators=[MinValueValidator(0)])
    maintainer = models.CharField(_("maintained by"), max_length=200)
    registered_on = models.DateField(_("registered on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["project", "pk"]

    def __str__(self):
        return self.name

    @property
    def area(self) -> Area:
        return self.project.village


class PublicNotice(models.Model):
    """公示: the text is generated from the project and frozen; posting dates and a photo of it on the board."""

    class Kind(models.TextChoices):
        PRE_WORK = "pre_work", _("Pre-work notice")
        COMPLETION = "completion", _("Completion notice")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    content = models.JSONField(_("content"), default=dict)
    posted_from = models.DateField(_("posted from"))
    posted_until = models.DateField(_("posted until"))
    place = models.CharField(_("posted at"), max_length=200)
    photo = models.ImageField(_("photo of the posted notice"), upload_to="projects/notices/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["project", "posted_from", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="notice_once_per_kind")]

    def __str__(self):
        return f"{self.project} · {self.get_kind_display()}"

    @property
    def area(self) -> Area:
        return self.project.village

    @property
    def days(self) -> int:
        return (self.posted_until - self.posted_from).days + 1


class FindingCategory(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Spending outside the approved scope")
    MISSING_DOCUMENTS = "missing_documents", _("Missing supporting documents")
    WRONG_GRANT = "wrong_grant", _("Funds not kept separate")
    NO_NAMED_LIST = "no_named_list", _("Payout without a named recipient list")
    CASH = "cash", _("Cash payment")
    SAME_PERSON = "same_person", _("One person at several steps")
    SPLIT = "split", _("Payments split to stay under a limit")
    OUTSIDE_PERIOD = "outside_period", _("Payment outside the project period")
    OVERRUN = "overrun", _("Budget overrun")
    BALANCE_NOT_CARRIED = "balance_not_carried", _("Year-end balance not carried over")
    DUPLICATE_INVOICE = "duplicate_invoice", _("Duplicate invoice")
    LATE_REPORTING = "late_reporting", _("Late reporting")


class ComplianceFinding(models.Model):
    """One thing an auditor would flag; `key` makes a re-run update, never duplicate."""

    category = models.CharField(_("category"), max_length=24, choices=FindingCategory.choices)
    key = models.CharField(max_length=120, unique=True)
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    message = models.CharField(_("finding"), max_length=500)
    first_found = models.DateTimeField(_("first found"))
    last_seen = models.DateTimeField(_("last seen"))
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("compliance finding")
        verbose_name_plural = _("compliance findings")
        ordering = ["category", "-first_found", "pk"]

    def __str__(self):
        return self.message

    @property
    def area(self) -> Area:
        return self.village
