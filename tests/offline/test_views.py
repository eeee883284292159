import json

import pytest

from offline import shell
from tests.conftest import PERSONA_NAMES

pytestmark = pytest.mark.django_db


def test_it_serves_the_service_worker_from_the_root_with_no_cache(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "__CACHE_VERSION__" not in body and "__STATIC_SHELL__" not in body
    assert '"zhucun-static-" + VERSION' in body and shell.version() in body
    assert "/static/leaflet/leaflet.js" in body and "/static/django_htmx/htmx-2.min.js" in body


def test_it_changes_the_cache_version_when_a_shell_file_changes(settings, tmp_path, monkeypatch):
    settings.DEBUG = True
    before = shell.version()
    real_find = shell.finders.find
    changed = tmp_path / "zhucun.css"
    changed.write_text("body{}")
    monkeypatch.setattr(shell.finders, "find", lambda p: str(changed) if p == "css/zhucun.css" else real_find(p))
    assert shell.version() != before


def test_it_refuses_to_post_to_the_service_worker(client):
    assert client.post("/sw.js").status_code == 405


def test_it_serves_an_installable_manifest(client):
    response = client.get("/offline/manifest.webmanifest")
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert data["name"].startswith("驻村工作") and data["display"] == "standalone" and data["start_url"] == "/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


def test_every_shell_file_exists():
    from django.contrib.staticfiles import finders

    assert [p for p in shell.STATIC_SHELL if not finders.find(p)] == []


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(
    "url", ["/offline/", "/offline/capture/visit/", "/offline/capture/dispute/", "/offline/capture/household_edit/"]
)
def test_the_offline_pages_need_a_log_in(client_as, persona, url):
    response = client_as(persona).get(url)
    assert response.status_code == (302 if persona == "anonymous" else 200)


def test_it_404s_an_unknown_capture_form(client_as):
    assert client_as("cadre_a").get("/offline/capture/rocket/").status_code == 404


def test_it_puts_the_badge_and_the_config_in_the_header_of_every_page(client_as):
    html = client_as("cadre_a").get("/").content.decode()
    assert 'id="offline-badge"' in html and 'id="offline-config"' in html
    assert "js/offline/header.js" in html
    config = html.split('id="offline-config" type="application/json">')[1].split("</script>")[0]
    assert json.loads(config)["strings"]["waiting"] == "__N__ 条待发送"


def test_it_leaves_the_log_in_page_without_the_offline_scripts(client):
    html = client.get("/accounts/login/").content.decode()
    assert "offline-config" not in html


def test_the_capture_form_offers_only_the_users_villages(client_as, tree):
    html = client_as("cadre_a").get("/offline/capture/visit/").content.decode()
    assert "大连村" in html and "东河村" not in html


def test_it_reports_shell_and_package_sizes_for_the_bench(personas, tree, homes):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("offline_sizes", "--user", "cadre_a", "--village", "A", "--json", stdout=out)
    data = json.loads(out.getvalue())
    shell_figures, package = data["shell"], data["package"]
    assert shell_figures["first_load_bytes"] > shell_figures["static_bytes"] > 100_000  # Leaflet is in the shell
    assert shell_figures["repeat_load_bytes"] == shell_figures["html_bytes"] + shell_figures["sw_bytes"]
    assert package["households"] == 2 and package["bytes"] > package["gzip_bytes"] > 0
