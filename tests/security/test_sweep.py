"""The IDOR sweep: every URL pattern, with objects of village A (大连村, the demo village), requested
as the cadre of village B, as anonymous, and as the read-only auditor and funder.

Nothing of A may reach the outsider, nothing may change for any of them, and nothing answers 500.
The sweep also checks every HTML page it gets for inline scripts (the CSP forbids them).
"""

import io
import re
import uuid

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter

from villages.models import Area, Person, Role, RoleAssignment

OTHER_VILLAGE_CODE = "610924105202"  # 东河村, in the same town, with no data of its own
SKIP_PREFIXES = ("admin:", "set_language", "javascript-catalog", "api_schema", "logout")
INT_CANDIDATES = [1, 2]
# Pages meant for everyone (log-in, the service worker, public notices): checked for personal data only.
PUBLIC_NAMES = {"login", "password_reset", "password_reset_done", "password_reset_complete", "service_worker"}
PUBLIC_NAME_HINTS = ("public", "manifest", "offline:shell", "offline:app", "offline:api_ping")
# Rows that reading or a refused request may legitimately write.
VOLATILE = {
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "django_q.OrmQ",
    "django_q.Task",
    "django_q.Schedule",
    "django_q.Success",
    "django_q.Failure",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


SKIPPED: list[str] = []


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", None)
            if converters is None:  # a regex route (DRF routers): its named groups
                groups = re.compile(str(entry.pattern)).groupindex
                converters = {g: IntConverter() for g in groups if g != "format"}
            yield f"{namespace}{entry.name}", converters


def _uuids() -> list[str]:
    values = []
    for model in apps.get_models():
        if any(f.name == "client_uuid" for f in model._meta.fields):
            uuids = model.objects.exclude(client_uuid=None).values_list("client_uuid", flat=True)[:2]
            values += [str(v) for v in uuids]
    return values or [str(uuid.uuid4())]


def _known_strings() -> dict[str, list[str]]:
    """Values for <str:…> parameters that name things rather than rows."""
    from grievances.services import TRANSITIONS
    from maps.layers import all_layers
    from offline.views import CAPTURE
    from reports.base import exporters

    return {
        "key": [layer.key for layer in all_layers()],
        "identifier": [e.identifier for e in exporters()],
        "verb": list(TRANSITIONS),
        "kind": list(CAPTURE),
        "fmt": ["geojson", "gpkg", "shp", "kml", "csv"],
    }


def _url_instances():
    strings, uuids, skipped = _known_strings(), _uuids(), []
    for name, converters in _walk(get_resolver().url_patterns):
        if name.startswith(SKIP_PREFIXES):
            continue
        choices = {}
        for param, converter in converters.items():
            if isinstance(converter, IntConverter):
                choices[param] = INT_CANDIDATES
            elif isinstance(converter, UUIDConverter):
                choices[param] = uuids
            elif isinstance(converter, (StringConverter, SlugConverter, PathConverter)) and param in strings:
                choices[param] = strings[param]
            else:
                choices[param] = None
        if any(v is None for v in choices.values()):
            skipped.append(name)
            continue
        for kwargs in _combinations(choices):
            try:
                yield name, reverse(name, kwargs=kwargs)
            except Exception:  # a converter may refuse a candidate value
                continue
    SKIPPED[:] = skipped


def _combinations(choices: dict) -> list[dict]:
    combos = [{}]
    for param, values in choices.items():
        combos = [{**c, param: v} for c in combos for v in values[:4]]
    return combos[:6]


def _snapshot() -> dict[str, dict]:
    """Every row of every table, as pk → a hash of its values."""
    tables = {}
    for model in apps.get_models():
        if model._meta.label in VOLATILE:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = model._default_manager.values_list(*fields)
        tables[model._meta.label] = {row[0]: hash(tuple(map(str, row))) for row in rows}
    return tables


def _touches_village_a(model, pk, village_a) -> bool:
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return False
    for name in ("village", "area"):
        area = getattr(obj, name, None)
        if isinstance(area, Area) and area.path.startswith(village_a.path):
            return True
    household = getattr(obj, "household", None)
    return household is not None and household.village_id == village_a.pk


def _changes(before, after, village_a) -> list:
    """Existing rows changed or deleted, and new rows about village A."""
    problems = []
    for label, rows in before.items():
        model = apps.get_model(label)
        changed = [pk for pk, digest in rows.items() if after[label].get(pk) != digest]
        added = [pk for pk in after[label] if pk not in rows and _touches_village_a(model, pk, village_a)]
        if changed or added:
            problems.append((label, {"changed or deleted": changed[:5], "new about village A": added[:5]}))
    return problems


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _load_demo() -> dict:
    call_command("load_demo", stdout=io.StringIO())
    outsider = get_user_model().objects.create_user("cadre_b_sweep", password="pw-for-tests-1")
    person = Person.objects.create(user=outsider, name="外村书记")
    RoleAssignment.objects.create(
        person=person, area=Area.objects.get(code=OTHER_VILLAGE_CODE), role=Role.FIRST_SECRETARY
    )
    from fieldwork.models import Household

    names = {n for n in Household.objects.values_list("head_name", flat=True) if len(n) >= 2}
    users = {
        "outsider": outsider,
        "auditor": get_user_model().objects.get(username="shenji"),
        "funder": get_user_model().objects.get(username="shuili"),
        "anonymous": None,
    }
    village_a = Area.objects.get(name="大连村")
    return {
        "users": users,
        "markers": ["大连村", *sorted(names)],
        "urls": list(_url_instances()),
        "village_a": village_a,
    }


def _leaks(body: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in body]


def _outsider_problems(demo) -> list:
    client, problems = _client(demo["users"]["outsider"]), []
    for name, url in demo["urls"]:
        response = client.get(url)
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        if response.status_code >= 500 or _leaks(body, demo["markers"]):
            problems.append((name, url, response.status_code, _leaks(body, demo["markers"])[:3]))
    return problems


def _anonymous_problems(demo) -> list:
    client, problems = _client(None), []
    for name, url in demo["urls"]:
        response = client.get(url)
        public = name in PUBLIC_NAMES or any(h in name for h in PUBLIC_NAME_HINTS)
        if response.status_code >= 500:
            problems.append((name, url, response.status_code))
        elif response.status_code == 200 and not public:
            problems.append((name, url, "200 for anonymous"))
        elif response.status_code == 200 and _leaks(response.content.decode(errors="replace"), demo["markers"][1:]):
            problems.append((name, url, "personal data on a public page"))
    return problems


def _write_problems(demo, persona) -> list:
    client, problems = _client(demo["users"][persona]), []
    before = _snapshot()
    for name, url in demo["urls"]:
        for method in ("post", "patch", "delete"):
            response = getattr(client, method)(url, data={}, content_type="application/json")
            if response.status_code >= 500:
                problems.append((persona, name, url, method, response.status_code))
    return problems + [(persona, *change) for change in _changes(before, _snapshot(), demo["village_a"])]


def _inline_script_problems(demo) -> list:
    auditor, problems = _client(demo["users"]["auditor"]), []
    for name, url in demo["urls"]:
        response = auditor.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode(errors="replace")
            if INLINE_SCRIPT.search(body) or INLINE_HANDLER.search(body):
                problems.append((name, url))
    return problems


@pytest.mark.django_db
def test_the_sweep_finds_no_leak_no_change_no_error_and_no_inline_script():
    demo = _load_demo()
    assert len(demo["urls"]) > 100
    assert _outsider_problems(demo) == []
    assert _anonymous_problems(demo) == []
    for persona in ("outsider", "auditor", "funder", "anonymous"):
        assert _write_problems(demo, persona) == []
    assert _inline_script_problems(demo) == []
