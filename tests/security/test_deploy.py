"""Production settings pass Django's deployment checks; CSP, lock-out and headers are in force."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_under_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "x" * 40,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "zhucun.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script(client_as):
    response = client_as("cadre_a").get(reverse("home"))
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_with_a_chinese_message(client, personas, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "cadre_a", "password": "wrong"})
        assert response.status_code == 200
    assert client.post(url, {"username": "cadre_a", "password": "wrong"}).status_code == 429
    # Locked: even the right password is refused until the cool-off ends.
    response = client.post(url, {"username": "cadre_a", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text and "15 分钟" in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_log_in_resets_the_failure_count(client, personas, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "cadre_a", "password": "wrong"})
    assert client.post(url, {"username": "cadre_a", "password": "pw-for-tests-1"}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "cadre_a", "password": "wrong"})
    assert client.post(url, {"username": "cadre_a", "password": "pw-for-tests-1"}).status_code == 302
