"""Budget pages (department budgets, project budgets, detail lines), beneficiary households, the findings menu."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fieldwork.models import Household
from projects import services
from projects.models import BudgetChange, BudgetLine, DepartmentBudget, EconomicCategory, Project, ProjectBudget
from tests.conftest import PERSONA_NAMES
from villages.models import Event

LOGGED_IN = [p for p in PERSONA_NAMES if p != "anonymous"]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# ---------------------------------------------------------------- department budgets

DEPARTMENT = {"year": 2025, "code": "BM-1", "name": "部门预算·驻村帮扶", "amount": "300000.00"}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_it_applies_the_permission_matrix_to_department_budgets(client_as, tree, persona):
    url = reverse("projects:department_budget_list")
    client = client_as(persona)
    get = client.get(url)
    post = client.post(url, {**DEPARTMENT, "area": tree.city.pk})
    if persona == "anonymous":
        assert get.status_code == 302 and post.status_code == 302
        assert not DepartmentBudget.objects.exists()
        return
    assert get.status_code == 200
    assert post.status_code == (302 if persona == "hq" else 403)
    assert DepartmentBudget.objects.exists() == (persona == "hq")


def test_the_department_budget_page_shows_what_is_allocated(client_as, funded, tree):
    department = services.department_budget_create(
        actor=funded.hq, area=tree.city, year=2025, code="BM-1", name="部门预算", amount="300000.00"
    )
    funded.budget.department_budget = department
    funded.budget.save()
    page = client_as("hq").get(reverse("projects:department_budget_list")).content.decode()
    assert "部门预算" in page and "150,000.00" in page
    assert "2025 部门预算" in page and "2,025" not in page  # a year, not a quantity


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "金额必须大于零"), ("1.234", "两位小数"), ("abc", "请以元为单位填写金额"), ("", "必填")],
)
def test_it_refuses_a_bad_department_budget_amount(client_as, tree, amount, message):
    response = client_as("hq").post(
        reverse("projects:department_budget_list"), {**DEPARTMENT, "area": tree.city.pk, "amount": amount}
    )
    assert response.status_code == 200 and message in _messages(response)
    assert not DepartmentBudget.objects.exists()


# ---------------------------------------------------------------- project budgets and lines


@pytest.fixture
def second_project(funded, tree):
    return services.project_create(
        actor=funded.hq,
        village=tree.village_a,
        code="P-2",
        name="茶园改造",
        type="tea_garden",
        implementer="合作社",
        responsible_person="朱晶",
        starts_on=funded.project.starts_on,
        ends_on=funded.project.ends_on,
    )


BUDGET_POST = {"hq": 302, "cadre_a": 302, "township": 302, "cadre_b": 404, "auditor": 403, "funder": 403}


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_it_applies_the_permission_matrix_to_adding_a_project_budget(client_as, funded, second_project, persona):
    url = reverse("projects:project_budget_add", args=[funded.grant.pk])
    response = client_as(persona).post(url, {"project": second_project.pk, "name": "茶园预算"})
    assert response.status_code == BUDGET_POST[persona]
    assert ProjectBudget.objects.filter(project=second_project).exists() == (persona == "hq")


LINE = {"code": "L-2", "name": "材料", "economic_category": EconomicCategory.GOODS_SERVICES, "amount": "20000.00"}


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_it_applies_the_permission_matrix_to_adding_a_budget_line(client_as, funded, persona):
    url = reverse("projects:budget_line_add", args=[funded.grant.pk])
    response = client_as(persona).post(url, {**LINE, "project_budget": funded.budget.pk})
    assert response.status_code == BUDGET_POST[persona]
    assert BudgetLine.objects.filter(code="L-2").exists() == (persona == "hq")


def test_a_new_line_is_logged_and_shown_with_its_original_amount(client_as, funded):
    client = client_as("hq")
    response = client.post(
        reverse("projects:budget_line_add", args=[funded.grant.pk]),
        {**LINE, "project_budget": funded.budget.pk},
        follow=True,
    )
    line = BudgetLine.objects.get(code="L-2")
    assert (line.original_amount, line.current_amount) == (Decimal("20000.00"), Decimal("20000.00"))
    assert Event.objects.filter(kind="projects.budget_line.created").count() == 2
    assert "L-2" in response.content.decode() and "20,000.00" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-100"}, "金额必须大于零"),
        ({"amount": "100.005"}, "两位小数"),
        ({"amount": "50000.01"}, "超过资金总额"),  # 150,000 + 50,000.01 > the grant's 200,000
        ({"code": ""}, "必填"),
        ({"economic_category": "999"}, "有效"),
        ({"project_budget": "999999"}, "未知项目预算"),
    ],
)
def test_it_refuses_a_bad_budget_line(client_as, funded, changes, message):
    before = list(BudgetLine.objects.values_list("pk", "current_amount"))
    response = client_as("hq").post(
        reverse("projects:budget_line_add", args=[funded.grant.pk]),
        {**LINE, "project_budget": funded.budget.pk, **changes},
        follow=True,
    )
    assert response.status_code == 200
    assert message in _messages(response)
    assert list(BudgetLine.objects.values_list("pk", "current_amount")) == before


def test_lines_stay_within_the_department_budget(funded, tree, second_project):
    department = services.department_budget_create(
        actor=funded.hq, area=tree.city, year=2025, code="BM-1", name="部门预算", amount="30000.00"
    )
    budget = services.project_budget_create(
        actor=funded.hq, project=second_project, grant=funded.grant, name="茶园预算", department_budget=department
    )
    line = services.budget_line_create(actor=funded.hq, project_budget=budget, **LINE)
    with pytest.raises(ValidationError) as exc:
        services.budget_line_create(actor=funded.hq, project_budget=budget, **{**LINE, "code": "L-3"})
    assert "部门预算" in " ".join(exc.value.messages)
    # A change raising the line above the department budget is refused when it is decided, too.
    change = services.budget_change_request(actor=funded.hq, line=line, new_amount="30000.01", reason="加量")
    from tests.factories import user_with_role
    from villages.models import Role

    leader = user_with_role("leader", Role.PAY_LEADER, tree.city)
    with pytest.raises(ValidationError):
        services.budget_change_decide(actor=leader, change=change, approve=True)
    line.refresh_from_db()
    assert line.current_amount == Decimal("20000.00")


def test_a_project_budget_is_made_once_per_grant_and_within_the_department_area(funded, tree, client_as):
    with pytest.raises(ValidationError):
        services.project_budget_create(actor=funded.hq, project=funded.project, grant=funded.grant, name="again")
    elsewhere = services.department_budget_create(
        actor=funded.hq, area=tree.town_u, year=2025, code="BM-U", name="洞河镇部门预算", amount="1000.00"
    )
    project = Project.objects.create(
        code="P-9",
        name="x",
        type="other",
        village=tree.village_a,
        implementer="x",
        responsible_person="x",
        starts_on=funded.project.starts_on,
        ends_on=funded.project.ends_on,
    )
    with pytest.raises(ValidationError) as exc:
        services.project_budget_create(
            actor=funded.hq, project=project, grant=funded.grant, name="x", department_budget=elsewhere
        )
    assert "部门预算" in " ".join(exc.value.messages)


def test_an_approved_amount_changes_only_through_a_budget_change(client_as, funded):
    """The new pages add lines; they offer no way to edit an amount, and the admin shows amounts read-only."""
    client = client_as("hq")
    client.post(
        reverse("projects:budget_line_add", args=[funded.grant.pk]),
        {**LINE, "code": "L-1", "amount": "1.00", "project_budget": funded.budget.pk},
    )
    funded.line.refresh_from_db()
    assert funded.line.current_amount == Decimal("150000.00")  # same code: refused, not overwritten
    page = client.get(reverse("projects:grant_detail", args=[funded.grant.pk])).content.decode()
    assert reverse("projects:budget_change_add", args=[funded.grant.pk]) in page
    assert not BudgetChange.objects.exists()


def test_the_admin_shows_budget_amounts_read_only(admin_client, funded):
    url = reverse("admin:projects_budgetline_change", args=[funded.line.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="current_amount"' not in page and 'name="name"' in page
    assert admin_client.get(reverse("admin:projects_budgetline_add")).status_code == 403
    assert admin_client.get(reverse("admin:projects_departmentbudget_changelist")).status_code == 200


# ---------------------------------------------------------------- beneficiaries


@pytest.fixture
def households(tree):
    return {
        "a1": Household.objects.create(village=tree.village_a, number="A-001", head_name="吴成高"),
        "a2": Household.objects.create(village=tree.village_a, number="A-002", head_name="李德华"),
        "b1": Household.objects.create(village=tree.village_b, number="B-001", head_name="陈明"),
    }


BENEFICIARY_POST = {"hq": 302, "cadre_a": 302, "township": 302, "cadre_b": 404, "auditor": 403, "funder": 403}


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_it_applies_the_permission_matrix_to_beneficiaries(client_as, funded, households, persona):
    url = reverse("projects:beneficiary_add", args=[funded.project.pk])
    response = client_as(persona).post(url, {"household": households["a1"].pk})
    assert response.status_code == BENEFICIARY_POST[persona]
    added = funded.project.beneficiaries.filter(pk=households["a1"].pk).exists()
    assert added == (persona in ("hq", "cadre_a"))


def test_the_handler_adds_and_removes_a_beneficiary(client, funded, households, handler):
    client.force_login(handler)
    client.post(reverse("projects:beneficiary_add", args=[funded.project.pk]), {"household": households["a2"].pk})
    assert list(funded.project.beneficiaries.all()) == [households["a2"]]
    client.post(reverse("projects:beneficiary_remove", args=[funded.project.pk]), {"household": households["a2"].pk})
    assert not funded.project.beneficiaries.exists()
    kinds = list(Event.objects.filter(kind__startswith="projects.beneficiary").values_list("kind", flat=True))
    assert sorted(kinds) == ["projects.beneficiary.added", "projects.beneficiary.removed"]


@pytest.mark.parametrize(("persona", "message"), [("hq", "只有大连村的农户"), ("cadre_a", "未知农户")])
def test_a_household_of_another_village_is_refused(client_as, funded, households, persona, message):
    response = client_as(persona).post(
        reverse("projects:beneficiary_add", args=[funded.project.pk]), {"household": households["b1"].pk}, follow=True
    )
    assert response.status_code == 200 and message in _messages(response)
    assert not funded.project.beneficiaries.exists()


def test_bad_beneficiary_input_is_refused_with_a_message(client_as, funded, households):
    client = client_as("cadre_a")
    url = reverse("projects:beneficiary_add", args=[funded.project.pk])
    assert "输入整数" in _messages(client.post(url, {"household": "x"}, follow=True))
    client.post(url, {"household": households["a1"].pk})
    assert "已是受益户" in _messages(client.post(url, {"household": households["a1"].pk}, follow=True))
    remove = reverse("projects:beneficiary_remove", args=[funded.project.pk])
    assert "不是受益户" in _messages(client.post(remove, {"household": households["a2"].pk}, follow=True))
    assert list(funded.project.beneficiaries.all()) == [households["a1"]]


def test_names_of_beneficiaries_are_masked_for_readers(client_as, funded, households):
    funded.project.beneficiaries.add(households["a1"])
    url = reverse("projects:project_detail", args=[funded.project.pk])
    assert "吴成高" in client_as("cadre_a").get(url).content.decode()
    for persona in ("auditor", "funder", "hq"):
        page = client_as(persona).get(url).content.decode()
        assert "吴成高" not in page and "吴**" in page, persona


# ---------------------------------------------------------------- the findings menu


@pytest.mark.parametrize("persona", LOGGED_IN)
def test_the_findings_entry_shows_only_to_who_may_open_it(client_as, tree, persona):
    client = client_as(persona)
    url = reverse("projects:finding_list")
    shown = f'href="{url}"' in client.get("/").content.decode()
    may_open = client.get(url).status_code == 200
    assert shown == may_open
    assert shown == (persona in ("hq", "auditor"))
