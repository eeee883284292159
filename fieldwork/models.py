from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

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
