import re

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from grievances import conf
from villages.fields import EncryptedTextField
from villages.masking import mask_id_number, mask_name, mask_phone
from villages.models import Area, Level


class Source(models.TextChoices):
    # The three lines of the 321 model first, then the other ways a dispute comes in.
    PARTY_MEMBER = "party_member", _("Party member line")
    DEPUTY = "deputy", _("People's-congress deputy line")
    CLUSTER_HEAD = "cluster_head", _("Household-cluster or grid head line")
    VISIT = "visit", _("Household visit")
    MEETING = "meeting", _("Village meeting")
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("12345 hotline transfer")
    HIGHER_LEVEL = "higher_level", _("Sent by a higher level")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class HandlingLevel(models.TextChoices):
    GRID = "grid", _("Household cluster or grid")
    VILLAGE = "village", _("Village mediation committee")
    TOWNSHIP = "township", _("Township mediation centre")
    COUNTY = "county", _("County")


# Escalation goes one step up this list; the area level that handles each step.
LEVEL_ORDER = [HandlingLevel.GRID, HandlingLevel.VILLAGE, HandlingLevel.TOWNSHIP, HandlingLevel.COUNTY]
LEVEL_AREA = {
    HandlingLevel.GRID: Level.GROUP,
    HandlingLevel.VILLAGE: Level.VILLAGE,
    HandlingLevel.TOWNSHIP: Level.TOWN,
    HandlingLevel.COUNTY: Level.COUNTY,
}


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Classified")
    ASSIGNED = "assigned", _("Assigned")
    MEDIATING = "mediating", _("Mediating")
    AGREEMENT = "agreement", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    PERFORMING = "performing", _("Being carried out")
    REVISITED = "revisited", _("Return visit done")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated")
    REFERRED = "referred", _("Referred out")


# Statuses in which the handling deadline runs (after an agreement the agreement's own date counts).
DEADLINE_STATUSES = frozenset(
    {Status.RECEIVED, Status.CLASSIFIED, Status.ASSIGNED, Status.MEDIATING, Status.FAILED, Status.ESCALATED}
)
OPEN_STATUSES = frozenset(set(Status.values) - {Status.CLOSED, Status.REFERRED})


# A mobile phone number (11 digits from 1) or a resident ID number (18, or the old 15) in free text.
PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:1[0-9]{10}|[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")


class Case(models.Model):
    """One dispute, from intake to an outcome."""

    number = models.CharField(_("case number"), max_length=40, unique=True, editable=False)
    village = models.ForeignKey(
        Area,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="dispute_cases",
        limit_choices_to={"level": Level.VILLAGE},
    )
    group = models.ForeignKey(
        Area,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_dispute_cases",
        limit_choices_to={"level": Level.GROUP},
    )
    location = models.PointField(_("place"), srid=settings.GEOMETRY_SRID, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_note = models.CharField(_("source details"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=30)
    title = models.CharField(_("summary"), max_length=120)
    facts = models.TextField(_("facts"))
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.LOW)
    level = models.CharField(_("handling level"), max_length=10, choices=HandlingLevel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_on = models.DateField(_("received on"))
    deadline = models.DateField(_("deadline"))
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("escalations"), default=0)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_cases",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_cases",
    )
    source_visit = models.ForeignKey(
        "fieldwork.Visit",
        verbose_name=_("from visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    source_meeting = models.ForeignKey(
        "fieldwork.Meeting",
        verbose_name=_("from meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    source_problem = models.ForeignKey(
        "fieldwork.Problem",
        verbose_name=_("from problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    related_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("related project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    # Idempotency key of offline and API intake: a retry returns the first case.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["village", "received_on"], name="case_village_received"),
        ]

    def __str__(self):
        return f"{self.number} {self.masked_title}"

    def mask_text(self, text: str) -> str:
        """`text` with the parties' names, phones and ID numbers masked, and any other phone or ID
        number in it: summaries and facts are free text and often name the parties."""
        values = []
        for party in self.parties.all() if self.pk else ():  # an unsaved case has no parties yet
            if len(party.name or "") >= 2:
                values.append((party.name, party.masked_name))
            if party.phone:
                values.append((party.phone, party.masked_phone))
            if party.id_number:
                values.append((party.id_number, party.masked_id_number))
        # Longest first, so that "张三丰" is masked whole before "张三".
        for value, masked in sorted(values, key=lambda pair: -len(pair[0])):
            text = text.replace(value, masked)
        return PERSONAL_NUMBER.sub(lambda m: mask_phone(m[0]) if len(m[0]) == 11 else mask_id_number(m[0]), text)

    @property
    def masked_title(self) -> str:
        return self.mask_text(self.title)

    @property
    def masked_facts(self) -> str:
        return self.mask_text(self.facts)

    def clean(self):
        if self.village_id and self.village.level != Level.VILLAGE:
            raise ValidationError({"village": _("Choose a village.")})
        if self.group_id and self.group.parent_id != self.village_id:
            raise ValidationError({"group": _("This group does not belong to the case's village.")})
        if self.category and self.category not in dict(conf.categories()):
            raise ValidationError({"category": _("Unknown dispute category.")})
        if self.deadline and self.received_on and self.deadline < self.received_on:
            raise ValidationError({"deadline": _("The deadline cannot be before the day the case was received.")})

    @property
    def category_label(self) -> str:
        return conf.category_label(self.category)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def handling_area(self) -> Area:
        """The area whose officers handle the case at its current level."""
        wanted = LEVEL_AREA[self.level]
        if wanted == Level.GROUP:
            return self.group or self.village
        area = self.village
        while area is not None and area.level != wanted:
            area = area.parent
        return area or self.village

    def next_level(self) -> str | None:
        index = LEVEL_ORDER.index(self.level)
        return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class Party(models.Model):
    """A person or household on one side of a dispute. Personal data encrypted, shown masked."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("side"), max_length=12, choices=PartyRole.choices, default=PartyRole.APPLICANT)
    household = models.ForeignKey(
        "fieldwork.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_parties",
    )
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case", "pk"]

    def __str__(self):
        return self.masked_name

    def clean(self):
        if self.household_id and self.case_id and self.household.village_id != self.case.village_id:
            raise ValidationError({"household": _("This household is not in the case's village.")})

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class MediationSession(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    mediators = models.CharField(_("mediators"), max_length=200)
    participants = models.TextField(_("participants"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case", "held_on", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.held_on}"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral, recorded by the mediator")


# People's Mediation Law Art. 33: the parties may seek court confirmation within 30 days.
CONFIRMATION_WINDOW_DAYS = 30


class Agreement(models.Model):
    """The mediation agreement with the contents Art. 28-29 of the People's Mediation Law require."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="agreement")
    form = models.CharField(_("form"), max_length=10, choices=AgreementForm.choices, default=AgreementForm.WRITTEN)
    signed_on = models.DateField(_("agreed on"))
    facts = models.TextField(_("main facts"))
    disputed_points = models.TextField(_("disputed points"))
    responsibilities = models.TextField(_("responsibilities"))
    terms = models.TextField(_("agreed terms"))
    performance = models.TextField(_("how the terms are carried out"))
    perform_by = models.DateField(_("carried out by"))
    mediators = models.CharField(_("mediators"), max_length=200)
    confirmation_applied_on = models.DateField(_("court confirmation applied on"), null=True, blank=True)
    confirmation_court = models.CharField(_("court"), max_length=100, blank=True)
    confirmation_result = models.CharField(_("court's decision"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")

    def __str__(self):
        return f"{self.case.number} {self.signed_on}"

    def clean(self):
        if self.perform_by and self.signed_on and self.perform_by < self.signed_on:
            raise ValidationError({"perform_by": _("The terms cannot be due before the agreement was reached.")})
        if self.confirmation_applied_on and self.signed_on:
            days = (self.confirmation_applied_on - self.signed_on).days
            if not 0 <= days <= CONFIRMATION_WINDOW_DAYS:
                raise ValidationError(
                    {"confirmation_applied_on": _("Court confirmation must be sought within 30 days of the agreement.")}
                )


class ReturnVisit(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="return_visits")
    visited_on = models.DateField(_("date"))
    carried_out = models.BooleanField(_("agreement carried out"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField(_("notes"), blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["case", "visited_on", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.visited_on}"


class Reveal(models.Model):
    """Who saw the parties' personal data of which case, and when (append-only)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("time"), auto_now_add=True)
    purpose = models.CharField(_("purpose"), max_length=30, default="view")

    class Meta:
        verbose_name = _("reveal of personal data")
        verbose_name_plural = _("reveals of personal data")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.case.number} {self.user} {self.created:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Reveal records cannot be changed."))
        super().save(*args, **kwargs)
