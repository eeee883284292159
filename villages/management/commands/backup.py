"""Back up the database and the media files into one folder, with a manifest of row counts."""

import json
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.managed}


def pg_env(config: dict) -> dict:
    env = {"PGPASSWORD": config.get("PASSWORD") or ""}
    return {k: v for k, v in env.items() if v}


def pg_args(config: dict) -> list[str]:
    args = ["-h", config.get("HOST") or "127.0.0.1", "-p", str(config.get("PORT") or 5432)]
    if config.get("USER"):
        args += ["-U", config["USER"]]
    return args


class Command(BaseCommand):
    help = "Write a backup (database dump, media archive, manifest) into a new folder under DEST."

    def add_arguments(self, parser):
        parser.add_argument("dest")

    def handle(self, *args, **options):
        folder = Path(options["dest"]) / timezone.localtime().strftime("zhucun-%Y%m%d-%H%M%S")
        folder.mkdir(parents=True, exist_ok=False)
        config = settings.DATABASES["default"]
        if settings.DATABASE_IS_POSTGIS:
            self._dump_postgres(config, folder / "db.dump")
        else:
            self._copy_sqlite(config["NAME"], folder / "db.sqlite3")
        with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
            if Path(settings.MEDIA_ROOT).exists():
                archive.add(settings.MEDIA_ROOT, arcname=".")
        manifest = {"created": timezone.now().isoformat(), "vendor": connection.vendor, "rows": row_counts()}
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(_("Backup written to %(folder)s") % {"folder": folder})
        return str(folder)

    @staticmethod
    def _dump_postgres(config: dict, target: Path) -> None:
        if not shutil.which("pg_dump"):
            raise CommandError(_("pg_dump is not installed."))
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *pg_args(config), config["NAME"]]
        result = subprocess.run(
            command, env={**pg_env(config), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise CommandError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()})

    @staticmethod
    def _copy_sqlite(source: str, target: Path) -> None:
        # SQLite's online backup API gives a consistent copy while the app keeps running.
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
