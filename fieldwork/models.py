import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fieldwork import conf
from villages.fields import EncryptedTextField
from villages.models import Area, Level


def monitoring_choices():
    return [("", _("Not monitored")), *settings.MONITORING_CATEGORIES]


class Household(models.Model):
    """A household of the village, the unit of visits, monitoring and benefits."""

    village = models.ForeignKey(
        Area,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": Level.VILLAGE},
    )
    group = models.ForeignKey(
        Area,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_households",
        limit_choices_to={"level": Level.GROUP},
    )
    number = models.CharField(_("household number"), max_length=30)
    head_name = models.CharField(_("head of household"), max_length=50)
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=settings.GEOMETRY_SRID, null=True, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    id_number = EncryptedTextField(_("ID number of the head"), blank=True)
    # Keyed hash of the ID number: finds duplicates without decrypting.
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    lifted_out_of_poverty = models.BooleanField(_("lifted out of poverty (脱贫户)"), default=False)
    monitoring_category = models.CharField(_("monitoring category"), max_length=20, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village", "number"]
        constraints = [models.UniqueConstraint(fields=["village", "number"], name="household_number_unique")]

    def __str__(self):
        return f"{self.head_name}（{self.number}）"

    def clean(self):
        if self.village_id and self.village.level != Level.VILLAGE:
            raise ValidationError({"village": _("Choose a village.")})
        if self.group_id and self.group.parent_id != self.village_id:
            raise ValidationError({"group": _("This group does not belong to the household's village.")})
        valid = {code for code, _label in settings.MONITORING_CATEGORIES}
        if self.monitoring_category and self.monitoring_category not in valid:
            raise ValidationError({"monitoring_category": _("Unknown monitoring category.")})

    @property
    def monitoring_label(self) -> str:
        return dict(monitoring_choices()).get(self.monitoring_category, self.monitoring_category)


class Relation(models.TextChoices):
    HEAD = "head", _("Head")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class Education(models.TextChoices):
    NONE = "none", _("None or illiterate")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary or vocational")
    COLLEGE = "college", _("College or above")
    PRESCHOOL = "preschool", _("Pre-school")
    IN_SCHOOL = "in_school", _("In school")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disabled")


class Labour(models.TextChoices):
    FULL = "full", _("Full labour capacity")
    PARTIAL = "partial", _("Partial labour capacity")
    NONE = "none", _("No labour capacity")


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation to head"), max_length=20, choices=Relation.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    health = models.CharField(_("health"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    health_notes = EncryptedTextField(_("health notes"), blank=True)
    disability = models.CharField(_("disability"), max_length=100, blank=True)
    labour = models.CharField(_("labour capacity"), max_length=20, choices=Labour.choices, default=Labour.FULL)
    working_away = models.BooleanField(_("working away from home"), default=False)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "pk"]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------------------
# Income, the 两不愁三保障 checks and relapse monitoring (防返贫监测)
# ---------------------------------------------------------------------------


class IncomeSource(models.TextChoices):
    WAGES = "wages", _("Wages (work away or local)")
    FARMING = "farming", _("Farming and forestry (tea, grain, herbs)")
    BUSINESS = "business", _("Own business")
    PROPERTY = "property", _("Property and dividends")
    TRANSFER = "transfer", _("Transfers (pensions, subsidies)")
    OTHER = "other", _("Other")


class IncomeRecord(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="incomes"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("source"), max_length=20, choices=IncomeSource.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        ordering = ["household", "-year", "source"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year", "source"], name="income_household_year_source")
        ]

    def __str__(self):
        return f"{self.year} {self.get_source_display()} {self.amount}"


class CheckResult(models.TextChoices):
    OK = "ok", _("Assured")
    RISK = "risk", _("At risk")
    NA = "na", _("Not applicable")


# The six items of 两不愁三保障 (plus safe drinking water), in the order offices list them.
CHECK_ITEMS = [
    ("food", _("Food")),
    ("clothing", _("Clothing")),
    ("housing", _("Safe housing")),
    ("schooling", _("Compulsory schooling")),
    ("medical", _("Medical insurance")),
    ("water", _("Safe drinking water")),
]


def _check_field(label):
    return models.CharField(label, max_length=4, choices=CheckResult.choices, blank=True)


class GuaranteeCheck(models.Model):
    """One check of 两不愁三保障 for a household, usually made during a visit."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="guarantee_checks"
    )
    checked_on = models.DateField(_("checked on"))
    visit = models.OneToOneField(
        "Visit",
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guarantee_check",
    )
    food = _check_field(_("Food"))
    clothing = _check_field(_("Clothing"))
    housing = _check_field(_("Safe housing"))
    schooling = _check_field(_("Compulsory schooling"))
    medical = _check_field(_("Medical insurance"))
    water = _check_field(_("Safe drinking water"))
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("两不愁三保障 check")
        verbose_name_plural = _("两不愁三保障 checks")
        ordering = ["household", "-checked_on", "-pk"]

    def __str__(self):
        return f"{self.household} {self.checked_on}"

    def items(self) -> list[tuple[str, str, str]]:
        """(code, label, result) for each item, in the official order."""
        return [(code, label, getattr(self, code)) for code, label in CHECK_ITEMS]

    @property
    def risks(self) -> list[str]:
        return [str(label) for code, label in CHECK_ITEMS if getattr(self, code) == CheckResult.RISK]


class MonitoringStep(models.TextChoices):
    HOME_CHECK = "home_check", _("Home check and consent")
    APPRAISAL = "appraisal", _("Village appraisal and public notice")
    TOWNSHIP = "township", _("Township review")
    COUNTY = "county", _("County decision")
    DONE = "done", _("Decided")


class MonitoringDecision(models.TextChoices):
    INCLUDE = "include", _("Included in monitoring")
    REJECT = "reject", _("Not included")
    EXIT = "exit", _("Risk removed, leaves monitoring")


class MonitoringRecord(models.Model):
    """One pass of the 防返贫监测 procedure for a household: entering (or leaving) a category.

    Steps: home check + consent → village appraisal and notice (≥ MONITORING_NOTICE_DAYS)
    → township review → county decision, normally within MONITORING_MAX_DAYS.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="monitoring_records"
    )
    category = models.CharField(_("monitoring category"), max_length=20, blank=True)
    leaving = models.BooleanField(_("request to leave monitoring"), default=False)
    reason = models.TextField(_("reason and risk found"))
    step = models.CharField(_("step"), max_length=20, choices=MonitoringStep.choices, default=MonitoringStep.HOME_CHECK)
    started_on = models.DateField(_("started on"))
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    notice_from = models.DateField(_("notice posted from"), null=True, blank=True)
    notice_to = models.DateField(_("notice posted until"), null=True, blank=True)
    township_on = models.DateField(_("township reviewed on"), null=True, blank=True)
    decided_on = models.DateField(_("county decided on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=MonitoringDecision.choices, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("monitoring record")
        verbose_name_plural = _("monitoring records")
        ordering = ["household", "-started_on", "-pk"]

    def __str__(self):
        return f"{self.household} {self.get_step_display()}"

    def clean(self):
        valid = {code for code, _label in settings.MONITORING_CATEGORIES}
        if not self.leaving and self.category not in valid:
            raise ValidationError({"category": _("Unknown monitoring category.")})
        if self.notice_from and self.notice_to:
            days = (self.notice_to - self.notice_from).days + 1
            if days < conf.monitoring_notice_days():
                raise ValidationError(
                    {
                        "notice_to": _("The notice must stay up at least %(days)s days.")
                        % {"days": conf.monitoring_notice_days()}
                    }
                )

    @property
    def category_label(self) -> str:
        return dict(monitoring_choices()).get(self.category, self.category)

    def days_open(self, today) -> int:
        end = self.decided_on or today
        return (end - self.started_on).days

    def is_late(self, today) -> bool:
        return self.step != MonitoringStep.DONE and self.days_open(today) > conf.monitoring_max_days()


# ---------------------------------------------------------------------------
# Visits, photos, problems, meetings, follow-ups
# ---------------------------------------------------------------------------


class VisitPurpose(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    MONITORING = "monitoring", _("Monitoring check")
    POLICY = "policy", _("Explaining a policy")
    HELP = "help", _("Bringing help")
    DISPUTE = "dispute", _("A dispute or complaint")
    FOLLOW_UP = "follow_up", _("Following up")
    OTHER = "other", _("Other")


class Visit(models.Model):
    """A household visit (入户走访), logged on a phone, with its GPS fix and photos."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    # Copied from the household: scoping and monthly figures filter on it without a join.
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("date and time"), db_index=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=VisitPurpose.choices, default=VisitPurpose.ROUTINE)
    findings = models.TextField(_("what was found"), blank=True)
    needs = models.TextField(_("needs raised"), blank=True)
    help_given = models.TextField(_("help given"), blank=True)
    location = models.PointField(_("phone position"), srid=settings.GEOMETRY_SRID, null=True, blank=True)
    accuracy_m = models.FloatField(
        _("GPS accuracy (m)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100_000)]
    )
    gps_poor = models.BooleanField(_("poor GPS accuracy"), default=False)
    outside_village = models.BooleanField(_("position outside the village"), default=False)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["village", "visited_at"], name="visit_village_time")]

    def __str__(self):
        return f"{self.household} {self.visited_at:%Y-%m-%d}"

    def clean(self):
        from django.utils import timezone

        if self.visited_at and self.visited_at > timezone.now() + timezone.timedelta(minutes=10):
            raise ValidationError({"visited_at": _("A visit cannot be dated in the future.")})
        if self.household_id and self.village_id and self.household.village_id != self.village_id:
            raise ValidationError({"household": _("The household does not belong to this village.")})


class MeetingKind(models.TextChoices):
    VILLAGE_AFFAIRS = "affairs", _("Village-affairs meeting (村务会)")
    TWO_COMMITTEES = "committees", _("Two committees (两委会)")
    PARTY_BRANCH = "party", _("Party branch meeting")
    REPRESENTATIVES = "representatives", _("Villagers' representatives")
    ASSEMBLY = "assembly", _("Villagers' assembly")
    HOUSEHOLD_HEADS = "heads", _("Household-cluster heads (中心户长)")
    OTHER = "other", _("Other")


class Meeting(models.Model):
    """A village meeting (the weekly 村务会 and others): who came, what was decided."""

    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.VILLAGE_AFFAIRS)
    held_at = models.DateTimeField(_("date and time"), db_index=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    topics = models.TextField(_("topics"))
    decisions = models.TextField(_("decisions"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"

    def clean(self):
        from django.utils import timezone

        if self.held_at and self.held_at > timezone.now() + timezone.timedelta(days=1):
            raise ValidationError({"held_at": _("Record a meeting once it has been held.")})


class MeetingAttendance(models.Model):
    """Someone at a meeting: a person with a role, a household, or just a name."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        "villages.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_attendance",
    )
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["meeting", "pk"]

    def __str__(self):
        if self.person_id:
            return str(self.person)
        return str(self.household) if self.household_id else self.name


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    SOLVED = "solved", _("Solved")
    HANDED_OVER = "handed_over", _("Handed over")


class ProblemSource(models.TextChoices):
    VISIT = "visit", _("A visit")
    MEETING = "meeting", _("A meeting")
    DIRECT = "direct", _("Raised directly")


class HandOverTarget(models.TextChoices):
    CASE = "case", _("A dispute case")
    PROJECT = "project", _("A project")
    OTHER = "other", _("Another office")


CLOSED_PROBLEM_STATUSES = (ProblemStatus.SOLVED, ProblemStatus.HANDED_OVER)


class Problem(models.Model):
    """ "Solve one problem a month": raised, owned, closed with an outcome or handed over."""

    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    source = models.CharField(
        _("raised from"), max_length=10, choices=ProblemSource.choices, default=ProblemSource.DIRECT
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    raised_on = models.DateField(_("raised on"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_problems",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    handed_over_to = models.CharField(_("handed over to"), max_length=10, choices=HandOverTarget.choices, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-raised_on", "-pk"]
        indexes = [models.Index(fields=["village", "status"], name="problem_village_status")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.household_id and self.household.village_id != self.village_id:
            raise ValidationError({"household": _("The household does not belong to this village.")})
        if self.status == ProblemStatus.SOLVED and not self.outcome.strip():
            raise ValidationError({"outcome": _("Describe the outcome before marking the problem solved.")})
        if self.due_on and self.raised_on and self.due_on < self.raised_on:
            raise ValidationError({"due_on": _("The due date cannot be before the problem was raised.")})

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_PROBLEM_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today


class FollowUp(models.Model):
    """A follow-up action from a visit or a meeting, with an owner and a due date."""

    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(_("action"), max_length=300)
    owner_name = models.CharField(_("owner"), max_length=50, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_on", "due_on", "pk"]

    def __str__(self):
        return self.action


def photo_path(instance, filename: str) -> str:
    # The name is ours, never the uploader's: no path tricks, no personal data in names.
    return f"fieldwork/photos/{instance.village_id}/{instance.client_uuid or uuid.uuid4()}.jpg"


class Photo(models.Model):
    """A photo of a visit or a meeting: re-encoded JPEG (EXIF gone), served only after a scope check."""

    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False) | models.Q(meeting__isnull=False), name="photo_has_parent"
            )
        ]

    def __str__(self):
        return self.caption or self.image.name


# ---------------------------------------------------------------------------
# The cadre's days: check-ins, leave, diary
# ---------------------------------------------------------------------------


class CheckIn(models.Model):
    """A cadre's daily check-in in the village from the phone (住村 attendance)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="checkins"
    )
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"), db_index=True)
    checked_at = models.DateTimeField(_("time"))
    location = models.PointField(_("phone position"), srid=settings.GEOMETRY_SRID, null=True, blank=True)
    accuracy_m = models.FloatField(
        _("GPS accuracy (m)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100_000)]
    )
    gps_poor = models.BooleanField(_("poor GPS accuracy"), default=False)
    outside_village = models.BooleanField(_("position outside the village"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "village", "day"], name="checkin_once_a_day")]

    def __str__(self):
        return f"{self.user} {self.day}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Refused")


class LeaveRequest(models.Model):
    """Leave from the village: the township approves up to LEAVE_TOWNSHIP_MAX_DAYS, the county beyond."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="leave_requests"
    )
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return f"{self.user} {self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The leave cannot end before it starts.")})
        if self.starts_on and self.ends_on and self.days > 60:
            raise ValidationError({"ends_on": _("Leave longer than 60 days is not requested here.")})

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def needs_county(self) -> bool:
        return self.days > conf.leave_township_max_days()


class DiaryEntry(models.Model):
    """民情日记: what the cadre saw and heard that day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="diary_entries"
    )
    village = models.ForeignKey(Area, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    text = models.TextField(_("entry"))
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")
        ordering = ["-day", "-pk"]

    def __str__(self):
        return f"{self.user} {self.day}"
