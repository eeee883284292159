"""Every write to areas, people, roles, the event log and notifications."""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import IntegrityError, transaction
from django.db.models import Model
from shapely import wkb

from villages.geo import geodesic_area_m2
from villages.models import Area, Event, Notification, Person, RoleAssignment

User = get_user_model()


def log_event(
    kind: str, obj: Model | None, actor=None, data: dict | None = None, *, area: Area | None = None, message: str = ""
) -> Event:
    """Append to the event log: `log_event("projects.payment.approved", payment, user, {...})`."""
    if area is None and obj is not None:
        area = _area_of(obj)
    event = Event(
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        area=area,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        message=message[:500],
        data=data or {},
    )
    # The related rows were handed over as saved instances: re-reading each one to check it exists
    # (what full_clean does for a foreign key) costs three queries per event and proves nothing.
    event.full_clean(exclude=["actor", "area", "content_type"])
    event.save()
    return event


def _area_of(obj: Model) -> Area | None:
    if isinstance(obj, Area):
        return obj
    for name in ("area", "village"):
        value = getattr(obj, name, None)
        if isinstance(value, Area):
            return value
    return None


def notify(*, recipient, kind: str, message: str, url: str = "", dedupe_key: str = "") -> Notification | None:
    """Create an in-app notification; with a dedupe key, at most one per recipient and key."""
    notification = Notification(recipient=recipient, kind=kind, message=message[:500], url=url, dedupe_key=dedupe_key)
    notification.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None
    return notification


def _to_multipolygon(geometry) -> MultiPolygon | None:
    if geometry is None:
        return None
    if not isinstance(geometry, GEOSGeometry):
        geometry = GEOSGeometry(memoryview(wkb.dumps(geometry)), srid=4326)
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=geometry.srid)
    return geometry


@transaction.atomic
def area_upsert(*, code: str, name: str, level: str, parent: Area | None, boundary=None, actor=None) -> Area:
    """Create or update the area with `code`; keeps the path and geodesic size in step."""
    boundary = _to_multipolygon(boundary)
    area = Area.objects.filter(code=code).first() or Area(code=code)
    path = (parent.path if parent else "") + code + "/"
    unchanged = (
        area.pk is not None
        and (area.name, area.level, area.parent_id, area.path) == (name, level, parent.pk if parent else None, path)
        and (boundary is None or (area.boundary is not None and area.boundary.equals_exact(boundary, 1e-9)))
    )
    if unchanged:
        return area
    area.name, area.level, area.parent, area.path = name, level, parent, path
    if boundary is not None:
        area.boundary = boundary
        area.area_m2 = geodesic_area_m2(wkb.loads(bytes(boundary.wkb)))
    area.full_clean()
    area.save()
    log_event("villages.area.saved", area, actor, {"code": code, "name": name}, message=f"{area.name} · {code}")
    return area


@transaction.atomic
def person_upsert(
    *,
    name: str,
    username: str | None = None,
    password: str | None = None,
    organisation: str = "",
    title: str = "",
    phone: str = "",
) -> Person:
    """The person called `name` (with a log-in when `username` is given), created if missing."""
    user = None
    if username:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
        if created and password:
            user.set_password(password)
            user.save(update_fields=["password"])
        person = Person.objects.filter(user=user).first()
    else:
        person = Person.objects.filter(user=None, name=name, organisation=organisation).first()
    person = person or Person(user=user)
    values = {"name": name, "organisation": organisation, "title": title, "phone": phone}
    if person.pk and all(getattr(person, key) == value for key, value in values.items()):
        return person
    for key, value in values.items():
        setattr(person, key, value)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def role_assign(*, person: Person, area: Area, role: str, actor=None, starts_on=None) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        person=person, area=area, role=role, defaults={"starts_on": starts_on}
    )
    if created:
        log_event("villages.role.assigned", assignment, actor, {"role": role, "person": person.pk}, area=area)
    return assignment
