from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Check that the configured database can be reached, with a clear message when it cannot."

    def handle(self, *args, **options):
        config = settings.DATABASES["default"]
        if not settings.DATABASE_IS_POSTGIS:
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        try:
            connection.ensure_connection()
        except OperationalError as exc:
            where = config["NAME"] if not settings.DATABASE_IS_POSTGIS else f"{config.get('HOST')}:{config.get('PORT')}"
            raise CommandError(
                _(
                    "Cannot connect to the database %(where)s. Check DATABASE_URL and that the server is running. "
                    "(%(error)s)"
                )
                % {"where": where, "error": str(exc).strip().splitlines()[0] if str(exc) else exc}
            ) from exc
        self.stdout.write(_("Database reachable: %(vendor)s") % {"vendor": connection.vendor})
