from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages.fields import EncryptedTextField


class Level(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")
    GROUP = "group", _("Group")


# The tree goes city → county → town → village → group, one level at a time.
LEVEL_ORDER = [Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GROUP]


class Area(models.Model):
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("610900/610924/…/"): descendants are a prefix match.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    boundary = models.MultiPolygonField(_("boundary"), srid=settings.GEOMETRY_SRID, null=True, blank=True)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["boundary"])

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="area_level_path")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.parent_id is None:
            if self.level != Level.CITY:
                raise ValidationError({"parent": _("Only a city can be at the top of the tree.")})
            return
        expected = LEVEL_ORDER.index(self.parent.level) + 1
        if expected >= len(LEVEL_ORDER) or LEVEL_ORDER[expected] != self.level:
            raise ValidationError(
                {
                    "parent": _("A %(level)s cannot be placed under a %(parent)s.")
                    % {"level": self.get_level_display(), "parent": self.parent.get_level_display()}
                }
            )

    def ancestor_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Role(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    TEAM_MEMBER = "team_member", _("Resident team member")
    VILLAGE_OFFICER = "village_officer", _("Village officer")
    GROUP_HEAD = "group_head", _("Household-cluster or grid head")
    TOWNSHIP_OFFICER = "township_officer", _("Township officer")
    COUNTY_OFFICER = "county_officer", _("County officer")
    HQ_STAFF = "hq_staff", _("Union HQ staff")
    PAY_HANDLER = "pay_handler", _("Handler (prepares payments)")
    PAY_LEADER = "pay_leader", _("Leader in charge")
    PAY_FINANCE_CHECK = "pay_finance_check", _("Finance and office check")
    PAY_VICE_CHAIR = "pay_vice_chair", _("Vice-chair for finance")
    PAY_CASHIER = "pay_cashier", _("Cashier")
    PAY_ACCOUNTANT = "pay_accountant", _("Accountant")
    PAY_EXEC_VICE_CHAIR = "pay_exec_vice_chair", _("Executive vice-chair")
    AUDITOR = "auditor", _("Auditor (read-only)")
    FUNDER = "funder", _("Funder (read-only)")


READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.FUNDER})
FIELD_ROLES = frozenset({Role.FIRST_SECRETARY, Role.TEAM_MEMBER, Role.VILLAGE_OFFICER, Role.GROUP_HEAD})
PAYMENT_ROLES = (
    Role.PAY_HANDLER,
    Role.PAY_LEADER,
    Role.PAY_FINANCE_CHECK,
    Role.PAY_VICE_CHAIR,
    Role.PAY_CASHIER,
    Role.PAY_ACCOUNTANT,
    Role.PAY_EXEC_VICE_CHAIR,
)
HQ_ROLES = frozenset({Role.HQ_STAFF, *PAYMENT_ROLES})


class Person(models.Model):
    """Someone who holds a role: a cadre, a village officer, union staff. May or may not log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RoleAssignment(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles")
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["person", "area", "role"], name="role_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_role_display()} · {self.area}"

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES


class Event(models.Model):
    """Append-only log of what happened to money and cases: who, when, what, to which object."""

    kind = models.CharField(_("kind"), max_length=80, db_index=True)
    created = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    message = models.CharField(_("message"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created"], name="event_target")]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args, **kwargs):
        # The log is append-only: a row, once written, is never changed.
        if self.pk is not None:
            raise ValidationError(_("Events cannot be changed."))
        super().save(*args, **kwargs)


class Notification(models.Model):
    """An in-app message to one user (an overdue case, a payment waiting, a report ready)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=80)
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Lets a job notify once per object and day, however often it runs.
    dedupe_key = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_dedupe"
            )
        ]

    def __str__(self):
        return self.message


class PendingJob(models.Model):
    """A background job that could not reach the broker; `villages.tasks.outbox_flush` sends it later."""

    func = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.func
