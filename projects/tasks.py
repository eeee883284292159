"""django-q2 jobs of the projects app: thin, call a service."""

from django.contrib.auth import get_user_model

from projects.compliance import compliance_run


def run_compliance(actor_id: int | None = None) -> dict:
    """Daily (schedule in migrations) and on demand from the findings page; the actor may be gone."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return compliance_run(actor=actor)
