"""Log-in, log-out, the language switch and the home page per role."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录驻村工作平台" in page
    assert 'lang="zh-hans"' in page


def test_wrong_credentials_get_a_chinese_message_and_no_session(client, personas):
    response = client.post(reverse("login"), {"username": "cadre_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_home_shows_the_cadres_village(client, personas):
    response = client.post(reverse("login"), {"username": "cadre_a", "password": "pw-for-tests-1"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "我的职责" in page and "大连村" in page and "驻村第一书记" in page


def test_home_redirects_anonymous_users_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_hq_home_shows_the_overview_of_villages(client_as):
    page = client_as("hq").get(reverse("home")).content.decode()
    assert "我负责范围内的村庄" in page
    assert "安康市" in page


def test_cadre_home_has_no_hq_overview(client_as):
    assert "我负责范围内的村庄" not in client_as("cadre_a").get(reverse("home")).content.decode()


def test_language_switch_to_english_and_back(client_as):
    client = client_as("cadre_a")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert "My roles" in response.content.decode()
    assert 'lang="en"' in response.content.decode()
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, follow=True)
    assert "我的职责" in response.content.decode()


def test_logout_needs_post_and_ends_the_session(client_as):
    client = client_as("cadre_a")
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change_refuses_a_weak_password(client_as):
    response = client_as("cadre_a").post(
        reverse("password_change"),
        {"old_password": "pw-for-tests-1", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "密码太短，至少需要 10 个字符" in response.content.decode()
