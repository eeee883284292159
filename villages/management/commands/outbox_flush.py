from django.core.management.base import BaseCommand

from villages.jobs import outbox_flush


class Command(BaseCommand):
    help = "Send background jobs kept in the outbox while the broker was unreachable."

    def handle(self, *args, **options):
        self.stdout.write(str(outbox_flush()))
