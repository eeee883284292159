import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.models import Area


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting in the queue")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Generated")
    FAILED = "failed", _("Generation failed")


class ReportRun(models.Model):
    """One request to build a report in the background, and the file it produced."""

    exporter = models.CharField(_("report"), max_length=60)
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    # Ids and ISO dates only (area, start, end, format, …): the job loads everything again.
    params = models.JSONField(_("parameters"), default=dict)
    format = models.CharField(_("format"), max_length=8)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
    )
    # Scheduled runs carry a key ("monthly:<village>:2026-11") so a schedule never makes two.
    schedule_key = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    created = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started = models.DateTimeField(_("started at"), null=True, blank=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Updated with every progress step; the watchdog fails runs whose heartbeat stopped.
    heartbeat = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A new token per attempt: only the attempt holding it may finish the run.
    claim = models.UUIDField(null=True, blank=True)
    # Relative to MEDIA_ROOT, named with a random token: never guessable, never served directly.
    file = models.CharField(max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat"], name="reportrun_status_heartbeat")]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule_key"], condition=~models.Q(schedule_key=""), name="reportrun_schedule_key"
            )
        ]

    def __str__(self):
        return f"{self.exporter} · {self.area} · {self.get_status_display()}"

    @property
    def finished_ok(self) -> bool:
        return self.status == RunStatus.DONE and bool(self.file)

    @property
    def active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @staticmethod
    def new_file_name(extension: str) -> str:
        return f"reports/{uuid.uuid4().hex}{uuid.uuid4().hex[:8]}.{extension}"
