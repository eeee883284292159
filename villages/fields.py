from django.db import models

from villages import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet); Python code sees plain text.

    The empty string is stored as is, so "not given" stays queryable. Encrypted
    values cannot be filtered on: use a blind index (`crypto.blind_index`) for that.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        # Expressions (bulk_update's CASE, F(), Value) are resolved later, value by value.
        if hasattr(value, "resolve_expression"):
            return value
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_db_prep_save(self, value, connection):
        return self.get_prep_value(value)
