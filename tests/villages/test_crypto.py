"""Personal data is encrypted at rest, keys rotate, and masking hides what it should."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from fieldwork.models import Household
from villages import crypto, masking
from villages.models import Person

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def household(tree):
    return Household.objects.create(
        village=tree.village_a, number="H1", head_name="陈德明", phone="13812345678", id_number="610924199001011234"
    )


def test_it_does_not_store_personal_data_in_clear(household):
    raw_phone = _raw("fieldwork_household", "phone", household.pk)
    raw_id = _raw("fieldwork_household", "id_number", household.pk)
    assert "13812345678" not in raw_phone
    assert "610924199001011234" not in raw_id
    assert raw_phone.startswith("gAAAA")  # a Fernet token
    reloaded = Household.objects.get(pk=household.pk)
    assert (reloaded.phone, reloaded.id_number) == ("13812345678", "610924199001011234")


def test_it_keeps_history_rows_encrypted_too(household):
    history_pk = household.history.latest().history_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM fieldwork_historicalhousehold WHERE history_id = %s", [history_pk])
        assert "13812345678" not in cursor.fetchone()[0]


def test_rotation_re_encrypts_old_rows_with_the_new_key(settings, household):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    old_token = _raw("fieldwork_household", "phone", household.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    # Old rows still read while both keys are configured…
    assert Household.objects.get(pk=household.pk).phone == "13812345678"
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    new_token = _raw("fieldwork_household", "phone", household.pk)
    assert new_token != old_token
    assert Fernet(new_key.encode()).decrypt(new_token.encode()) == b"13812345678"
    history_token = _raw_history_phone(household)
    assert Fernet(new_key.encode()).decrypt(history_token.encode()) == b"13812345678"
    # …and after rotation the old key can be dropped.
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert Household.objects.get(pk=household.pk).phone == "13812345678"


def _raw_history_phone(household) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM fieldwork_historicalhousehold WHERE id = %s", [household.pk])
        return cursor.fetchone()[0]


def test_a_value_no_key_can_open_is_an_error_not_garbage(settings, household):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception, match="cannot be decrypted"):
        Household.objects.get(pk=household.pk)


def test_empty_values_stay_empty(tree):
    person = Person.objects.create(name="某人", phone="")
    assert _raw("villages_person", "phone", person.pk) == ""


def test_blind_index_finds_the_same_id_number_however_written():
    assert crypto.blind_index("610924 19900101 1234") == crypto.blind_index("610924199001011234")
    assert crypto.blind_index("61092419900101123x") == crypto.blind_index("61092419900101123X")
    assert crypto.blind_index("610924199001011234") != crypto.blind_index("610924199001011235")


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (masking.mask_name, "陈德明", "陈**"),
        (masking.mask_name, "李四", "李*"),
        (masking.mask_phone, "13812345678", "138****5678"),
        (masking.mask_id_number, "610924199001011234", "6109**********1234"),
        (masking.mask_id_number, "123", "***"),
    ],
)
def test_masking(function, value, expected):
    assert function(value) == expected
