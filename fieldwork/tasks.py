"""Background jobs of fieldwork (django-q2): thin, idempotent, safe when objects are gone."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldwork.models import CLOSED_PROBLEM_STATUSES, Problem
from villages.services import notify


def remind_overdue_problems() -> int:
    """Scheduled daily: tell each owner about their problems past the due date (once per problem and day)."""
    today = timezone.localdate()
    overdue = (
        Problem.objects.exclude(status__in=CLOSED_PROBLEM_STATUSES)
        .filter(due_on__lt=today, owner__isnull=False, owner__is_active=True)
        .select_related("owner")
    )
    sent = 0
    for problem in overdue:
        message = _("Problem past its due date: %(title)s") % {"title": problem.title}
        created = notify(
            recipient=problem.owner,
            kind="fieldwork.problem.overdue",
            message=message,
            url=reverse("fieldwork:problem_detail", args=[problem.pk]),
            dedupe_key=f"fieldwork.problem.overdue:{problem.pk}:{today.isoformat()}",
        )
        sent += created is not None
    return sent
