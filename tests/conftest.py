"""Shared fixtures: a small area tree and the personas of the permission matrix.

    city C ─ county K ─ town T ─ village A (groups A1, A2)
                              └ village B (group B1)
                    └ town U ─ village D

Personas: cadre_a (first secretary of A), cadre_b (of B), township (officer of T),
hq (union HQ staff at C), auditor (read-only at C), funder (read-only at A), anonymous.
"""

import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import AreaFactory, square, user_with_role
from villages.models import Level, Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords():
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Every table's ids start here in the test database, as they would after years of use: an id
# written into a page through a localized number ("100,001") or assumed small fails a test.
FIRST_ID = 100_000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.apps import apps
    from django.db import connection
    from django.db.models import AutoField, BigAutoField, SmallAutoField

    tables = {
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models(include_auto_created=True)
        if isinstance(model._meta.pk, AutoField | BigAutoField | SmallAutoField)
        and model._meta.managed
        and not model._meta.proxy
    }
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for table, column in sorted(tables):
            if connection.vendor == "postgresql":
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, column, FIRST_ID])
            else:  # SQLite AUTOINCREMENT: the next id is one past sqlite_sequence's
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, FIRST_ID])


@pytest.fixture(autouse=True)
def _tmp_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(db):
    city = AreaFactory(code="C", name="安康市", level=Level.CITY, boundary=square(108.0, 32.0, 2.0))
    county = AreaFactory(code="K", name="紫阳县", level=Level.COUNTY, parent=city, boundary=square(108.2, 32.2, 1.0))
    town = AreaFactory(code="T", name="焕古镇", level=Level.TOWN, parent=county, boundary=square(108.5, 32.4, 0.2))
    town_u = AreaFactory(code="U", name="洞河镇", level=Level.TOWN, parent=county, boundary=square(108.8, 32.8, 0.2))
    village_a = AreaFactory(
        code="A", name="大连村", level=Level.VILLAGE, parent=town, boundary=square(108.50, 32.40, 0.05)
    )
    village_b = AreaFactory(
        code="B", name="东河村", level=Level.VILLAGE, parent=town, boundary=square(108.60, 32.40, 0.05)
    )
    village_d = AreaFactory(
        code="D", name="庙坝村", level=Level.VILLAGE, parent=town_u, boundary=square(108.85, 32.85, 0.05)
    )
    group_a1 = AreaFactory(
        code="A1", name="一组", level=Level.GROUP, parent=village_a, boundary=square(108.50, 32.40, 0.025)
    )
    group_a2 = AreaFactory(
        code="A2", name="二组", level=Level.GROUP, parent=village_a, boundary=square(108.525, 32.40, 0.025)
    )
    group_b1 = AreaFactory(
        code="B1", name="一组", level=Level.GROUP, parent=village_b, boundary=square(108.60, 32.40, 0.05)
    )
    return SimpleNamespace(
        city=city,
        county=county,
        town=town,
        town_u=town_u,
        village_a=village_a,
        village_b=village_b,
        village_d=village_d,
        group_a1=group_a1,
        group_a2=group_a2,
        group_b1=group_b1,
    )


@pytest.fixture
def personas(tree):
    return SimpleNamespace(
        cadre_a=user_with_role("cadre_a", Role.FIRST_SECRETARY, tree.village_a),
        cadre_b=user_with_role("cadre_b", Role.FIRST_SECRETARY, tree.village_b),
        township=user_with_role("township", Role.TOWNSHIP_OFFICER, tree.town),
        hq=user_with_role("hq", Role.HQ_STAFF, tree.city),
        auditor=user_with_role("auditor", Role.AUDITOR, tree.city),
        funder=user_with_role("funder", Role.FUNDER, tree.village_a),
        anonymous=None,
    )


PERSONA_NAMES = ["cadre_a", "cadre_b", "township", "hq", "auditor", "funder", "anonymous"]


@pytest.fixture
def client_as(personas):
    """`client_as("cadre_a")` → a test client logged in as that persona (anonymous: not logged in)."""

    def make(name: str) -> Client:
        client = Client()
        user = getattr(personas, name)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def qcluster(transactional_db):
    """A real `manage.py qcluster` process working on the test database (ORM or Redis broker).

    Returns `wait_for(predicate, timeout=30)`, which polls until the predicate is true.
    """
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    if settings.DATABASE_IS_POSTGIS:
        env["DATABASE_URL"] = f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"spatialite:///{db['NAME']}"
    root = Path(__file__).resolve().parent.parent
    # Start from an empty queue: jobs left in Redis by earlier tests belong to other databases.
    from django_q.brokers import get_broker

    get_broker().purge_queue()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def wait_for(predicate, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.3)
        raise AssertionError("the qcluster did not finish the job in time")

    try:
        yield wait_for
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
