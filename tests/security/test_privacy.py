"""Personal-data rights: export everything about a person, anonymise where the law allows, log both."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fieldwork.models import Household, Member
from grievances.models import Party
from tests.fieldwork.factories import HouseholdFactory, MemberFactory, VisitFactory
from tests.grievances.factories import make_case, run_to
from villages.crypto import blind_index
from villages.models import Event

pytestmark = pytest.mark.django_db
ID = "610924198001011234"  # the applicant of tests.grievances.factories.PARTIES


@pytest.fixture
def subject(personas, tree):
    household = HouseholdFactory(
        village=tree.village_a, head_name="陈德明", id_number=ID, id_number_hash=blind_index(ID), phone="13812345678"
    )
    MemberFactory(household=household, name="陈德明", id_number=ID, health_notes="高血压")
    VisitFactory(household=household, village=tree.village_a, visitor=personas.cadre_a, findings="屋顶漏雨")
    return household


def _run(*args) -> str:
    out = io.StringIO()
    call_command("personal_data", *args, stdout=out)
    return out.getvalue()


def test_it_exports_everything_held_about_a_person_and_logs_it(subject, personas, tree):
    make_case(personas.cadre_a, tree.village_a)
    data = json.loads(_run("export", "--id-number", ID, "--operator", "cadre_a"))
    assert data["households"][0]["head_name"] == "陈德明"
    assert data["households"][0]["visits"][0]["findings"] == "屋顶漏雨"
    assert data["members"][0]["health_notes"] == "高血压"
    assert data["dispute_parties"][0]["phone"] == "13812345678"
    event = Event.objects.get(kind="privacy.subject.exported")
    assert event.actor == personas.cadre_a and event.data == {"households": 1, "members": 1, "parties": 1}
    assert ID not in json.dumps(event.data)


def test_anonymising_is_refused_while_a_case_is_open_and_changes_nothing(subject, personas, tree):
    make_case(personas.cadre_a, tree.village_a)
    with pytest.raises(CommandError, match="仍在办理"):
        _run("anonymise", "--id-number", ID, "--operator", "cadre_a")
    assert Household.objects.get(pk=subject.pk).head_name == "陈德明"
    assert not Event.objects.filter(kind="privacy.subject.anonymised").exists()


def test_anonymising_removes_the_identity_everywhere_including_history(subject, personas, tree):
    case = run_to(make_case(personas.cadre_a, tree.village_a), personas.cadre_a, "closed", today=date.today())
    output = _run("anonymise", "--id-number", ID, "--operator", "cadre_a")
    assert "1" in output
    household = Household.objects.get(pk=subject.pk)
    assert (household.head_name, household.phone, household.id_number) == ("已匿名", "", "")
    assert Member.objects.get(household=household).health_notes == ""
    assert {p.name for p in Party.objects.filter(case=case)} == {"王建国", "已匿名"}
    assert household.visits.get().findings == "屋顶漏雨"  # the record of the visit is kept
    with connection.cursor() as cursor:
        cursor.execute("SELECT head_name FROM fieldwork_historicalhousehold WHERE id = %s", [subject.pk])
        assert {row[0] for row in cursor.fetchall()} == {"已匿名"}
    assert Event.objects.filter(kind="privacy.subject.anonymised", actor=personas.cadre_a).exists()
    # Asked again, nothing is held any more under that number.
    with pytest.raises(CommandError, match="没有此身份证号"):
        _run("anonymise", "--id-number", ID, "--operator", "cadre_a")


def test_an_unknown_operator_is_refused(subject):
    with pytest.raises(CommandError, match="没有启用的用户"):
        _run("export", "--id-number", ID, "--operator", "nobody")
