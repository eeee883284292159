import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_edits_boundaries_with_a_leaflet_widget(client, tree, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-long-password")
    client.force_login(admin)
    page = client.get(reverse("admin:villages_area_change", args=[tree.village_a.pk])).text
    assert "leaflet" in page.lower()
    assert 'name="boundary"' in page


def test_the_admin_never_edits_the_event_log(client, tree, django_user_model, personas):
    from villages.services import log_event

    event = log_event("villages.test.done", tree.village_a, personas.cadre_a)
    admin = django_user_model.objects.create_superuser("root", password="x-long-password")
    client.force_login(admin)
    assert client.get(reverse("admin:villages_event_changelist")).status_code == 200
    response = client.post(reverse("admin:villages_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
