"""Demo data of the reports app: only its schedules (idempotent); reports are generated on request."""

from reports.services import schedules_ensure


def load(stdout=None) -> None:
    created = schedules_ensure()
    if stdout:
        stdout.write(f"report schedules: {len(created)} new")
