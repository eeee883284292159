"""The projects demo: true to the seed, rules caught, and a second run writes nothing."""

import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from projects.models import ComplianceFinding, FindingCategory, Payment, PaymentStatus, Project, ProjectSite
from projects.selectors import outputs_against_targets
from villages.models import Event

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    config = apps.get_app_config("projects")
    return {m.__name__: m.objects.count() for m in config.get_models()} | {"events": Event.objects.count()}


def test_it_loads_the_seed_facts_and_a_second_run_writes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    before = _counts()
    from projects import demo

    demo.load()
    assert _counts() == before

    water = Project.objects.get(code="DL-2025-01")
    assert water.stage == "assets_registered"
    assert sum(p.amount for p in water.payments.all()) == Decimal("200000.00")
    labels = sorted(site.label for site in water.sites.all())
    assert labels == ["拦水坝 1 座", "管道 3,000 m", "蓄水池 7 座"]
    tea_sites = ProjectSite.objects.filter(project__code="DL-2025-02")
    assert all(site.label.endswith("亩") for site in tea_sites)

    rows = {r.indicator.name: r for r in outputs_against_targets(_superuser())}
    assert rows["春茶产量"].actual > 40 and rows["春茶产量"].met
    assert rows["综合产值"].actual > 3000 and rows["综合产值"].indicator.unit == "万元"
    assert rows["鲜叶销售收入超10万元的农户"].actual >= 20
    assert rows["维修灌溉管道"].met and rows["撂荒茶园改造面积"].met

    waiting = set(Payment.objects.filter(status=PaymentStatus.IN_CHAIN).values_list("step", flat=True))
    assert waiting == {1, 2, 3, 4, 5, 6}
    assert Payment.objects.filter(status=PaymentStatus.SENT_BACK).exists()
    assert Payment.objects.filter(status=PaymentStatus.DRAFT, method="cash").exists()
    found = set(ComplianceFinding.objects.values_list("category", flat=True))
    assert {FindingCategory.SPLIT, FindingCategory.SAME_PERSON} <= found


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="admin")


def test_every_page_renders_with_the_demo_data():
    from django.test import Client
    from django.urls import reverse

    from projects.models import PublicNotice

    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    client.force_login(_superuser())
    urls = [
        reverse(n)
        for n in (
            "projects:project_list",
            "projects:grant_list",
            "projects:payment_list",
            "projects:review",
            "projects:finding_list",
            "projects:approval_queue",
        )
    ]
    urls += [reverse("projects:project_detail", args=[p.pk]) for p in Project.objects.all()]
    urls += [reverse("projects:payment_detail", args=[p.pk]) for p in Payment.objects.all()]
    urls += [reverse("projects:notice_detail", args=[n.pk]) for n in PublicNotice.objects.all()]
    from projects.models import Grant

    urls += [reverse("projects:grant_detail", args=[g.pk]) for g in Grant.objects.all()]
    for url in urls:
        assert client.get(url).status_code == 200, url
    # A cashier sees the payment waiting for them on the home page.
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="chuna"))
    assert "ZF2026-CY-004" in client.get("/").content.decode()
