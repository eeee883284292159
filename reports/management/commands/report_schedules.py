from django.core.management.base import BaseCommand

from reports.services import schedules_ensure


class Command(BaseCommand):
    help = "Declare the reports app's django-q schedules (idempotent; `migrate` runs this too)."

    def handle(self, *args, **options):
        created = schedules_ensure()
        self.stdout.write(", ".join(created) if created else "schedules already declared")
