from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from villages.fields import EncryptedTextField

BATCH = 500


def encrypted_models():
    """Every model (history tables included) with its encrypted fields."""
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            yield model, fields


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the newest key in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        total = 0
        for model, fields in encrypted_models():
            count = 0
            queryset = model._default_manager.only("pk", *fields).order_by("pk")
            batch = []
            for obj in queryset.iterator(chunk_size=BATCH):
                # Values were decrypted on load (with any key); saving encrypts with the newest.
                batch.append(obj)
                if len(batch) == BATCH:
                    count += self._save(model, batch, fields)
                    batch = []
            count += self._save(model, batch, fields)
            total += count
            self.stdout.write(f"{model._meta.label}: {count}")
        self.stdout.write(self.style.SUCCESS(_("Re-encrypted %(count)d rows.") % {"count": total}))

    @staticmethod
    def _save(model, batch, fields) -> int:
        if not batch:
            return 0
        with transaction.atomic():
            model._default_manager.bulk_update(batch, fields)
        return len(batch)
