"""Restore a backup folder written by `manage.py backup` into the configured (empty) database."""

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from villages.management.commands.backup import pg_args, pg_env, row_counts


class Command(BaseCommand):
    help = "Restore a backup folder into the configured database (which must be empty) and MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise CommandError(_("Not a backup folder: %(folder)s") % {"folder": folder})
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                _("This backup is from %(vendor)s; the configured database is %(ours)s.")
                % {"vendor": manifest["vendor"], "ours": connection.vendor}
            )
        config = settings.DATABASES["default"]
        if settings.DATABASE_IS_POSTGIS:
            self._restore_postgres(config, folder / "db.dump")
        else:
            connection.close()
            shutil.copyfile(folder / "db.sqlite3", config["NAME"])
        _extract_media(folder / "media.tar.gz", Path(settings.MEDIA_ROOT))
        counts = row_counts()
        mismatched = {k: (v, counts.get(k)) for k, v in manifest["rows"].items() if counts.get(k) != v}
        if mismatched:
            raise CommandError(_("Restored, but row counts differ: %(diff)s") % {"diff": mismatched})
        self.stdout.write(
            _("Restored %(count)d tables from %(folder)s; row counts match the manifest.")
            % {"count": len(manifest["rows"]), "folder": folder}
        )

    @staticmethod
    def _restore_postgres(config: dict, dump: Path) -> None:
        command = [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            config["NAME"],
            *pg_args(config),
            str(dump),
        ]
        result = subprocess.run(
            command, env={**pg_env(config), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise CommandError(_("pg_restore failed: %(error)s") % {"error": result.stderr.strip()})


def _extract_media(archive_path: Path, media_root: Path) -> None:
    """Extract regular files and folders only, never outside MEDIA_ROOT (Python 3.11.2 has no tar filters)."""
    media_root.mkdir(parents=True, exist_ok=True)
    root = media_root.resolve()
    with tarfile.open(archive_path) as archive:
        for member in archive.getmembers():
            target = (media_root / member.name).resolve()
            if not (target == root or root in target.parents) or not (member.isfile() or member.isdir()):
                raise CommandError(_("Unsafe entry in the media archive: %(name)s") % {"name": member.name})
        for member in archive.getmembers():
            if member.isdir():
                (media_root / member.name).mkdir(parents=True, exist_ok=True)
            else:
                target = media_root / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
