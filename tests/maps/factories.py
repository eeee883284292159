"""Factories for map tests (households placed inside the tree fixture's villages)."""

import factory
from django.contrib.gis.geos import Point

from fieldwork.models import Household


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"H{n:05d}")
    head_name = "张三"
    location = factory.LazyFunction(lambda: Point(108.51, 32.41, srid=4326))


def SiteFactory(*, village, kind, geometry, name="工点"):
    """A project site in `village` (a project created on the fly), sizes as the projects service computes them."""
    import datetime

    from shapely import wkb

    from projects.models import Project, ProjectSite
    from villages.geo import geodesic_area_m2, geodesic_length_m

    project, _ = Project.objects.get_or_create(
        code=f"P-{village.code}",
        defaults={
            "name": f"{village.name}项目",
            "type": "irrigation",
            "village": village,
            "implementer": "村委会",
            "responsible_person": "负责人",
            "starts_on": datetime.date(2026, 3, 1),
            "ends_on": datetime.date(2026, 10, 31),
        },
    )
    shape = wkb.loads(bytes(geometry.wkb))
    length = area = None
    if "LineString" in geometry.geom_type:
        length = round(geodesic_length_m(shape), 1)
    if "Polygon" in geometry.geom_type:
        area = round(geodesic_area_m2(shape), 1)
    return ProjectSite.objects.create(
        project=project, kind=kind, name=name, geometry=geometry, length_m=length, area_m2=area
    )
