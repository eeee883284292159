"""Excel/CSV import with a row-by-row report (all or nothing, or the valid rows), and the Excel export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fieldwork.importers import escape_cell, import_households
from fieldwork.models import Household

pytestmark = pytest.mark.django_db
HEADER = ["户号", "户主姓名", "组", "地址", "联系电话", "户主身份证号", "经度", "纬度", "脱贫户", "监测类别"]


def xlsx(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("households.xlsx", out.getvalue())


def csv_file(text, encoding="utf-8-sig"):
    return SimpleUploadedFile("households.csv", text.encode(encoding))


GOOD = [
    ["X001", "陈明", "一组", "大连村一组1号", "13900001111", "610924197001011111", 108.51, 32.41, "是", ""],
    ["X002", "王芳", "二组", "", "", "", "", "", "否", "边缘易致贫户"],
]


def test_it_imports_a_good_excel_file(personas, tree, households):
    report = import_households(actor=personas.cadre_a, village=tree.village_a, upload=xlsx(GOOD))
    assert report.imported and report.created == 2 and not report.bad_rows
    x1 = Household.objects.get(number="X001")
    assert (x1.group, x1.lifted_out_of_poverty, x1.phone) == (tree.group_a1, True, "13900001111")
    assert Household.objects.get(number="X002").monitoring_category == "marginal"


def test_it_imports_a_gb18030_csv(personas, tree):
    text = "户号,户主姓名,组\nC1,刘强,一组\n"
    report = import_households(actor=personas.cadre_a, village=tree.village_a, upload=csv_file(text, "gb18030"))
    assert report.created == 1 and Household.objects.get(number="C1").head_name == "刘强"


def test_a_file_with_one_bad_row_imports_nothing_and_reports_each_error(personas, tree, households):
    rows = [
        *GOOD,
        ["A001", "重复户号", "", "", "", "", "", "", "", ""],
        ["X003", "", "九组", "", "abc", "123", 300, 32, "也许", "未知"],
        ["X001", "同号", "", "", "", "", "", "", "", ""],
        ["X004", "同证", "", "", "", "610924198001011234", "", "", "", ""],
    ]
    report = import_households(actor=personas.cadre_a, village=tree.village_a, upload=xlsx(rows))
    assert not report.imported and report.created == 0
    assert Household.objects.filter(number__startswith="X").count() == 0
    errors = {row.line: " ".join(row.errors) for row in report.bad_rows}
    assert set(errors) == {4, 5, 6, 7}
    assert "已存在" in errors[4]
    for text in ("户主姓名", "九组", "电话", "身份证", "经度", "脱贫户", "监测类别"):
        assert text in errors[5]
    assert "第 2 行" in errors[6]
    assert "身份证号" in errors[7]


def test_import_valid_rows_only_when_asked(personas, tree, households):
    rows = [*GOOD, ["X003", "", "", "", "", "", "", "", "", ""]]
    report = import_households(actor=personas.cadre_a, village=tree.village_a, upload=xlsx(rows), valid_only=True)
    assert report.imported and report.created == 2 and len(report.bad_rows) == 1


def test_wrong_columns_are_refused_before_any_row(personas, tree):
    report = import_households(
        actor=personas.cadre_a, village=tree.village_a, upload=xlsx([["1", "2"]], header=["姓名", "年龄"])
    )
    assert not report.imported
    assert any("未知的列" in e for e in report.errors) and any("缺少列“户号”" in e for e in report.errors)


def test_a_file_that_is_not_a_table_is_refused(personas, tree):
    upload = SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage")
    report = import_households(actor=personas.cadre_a, village=tree.village_a, upload=upload)
    assert report.errors and not report.imported
    binary = SimpleUploadedFile("x.csv", b"\x00\xff\xfe\x00")
    assert import_households(actor=personas.cadre_a, village=tree.village_a, upload=binary).errors


def test_the_import_page_shows_the_row_report(client_as, tree, households):
    rows = [["A001", "重复户号", "", "", "", "", "", "", "", ""]]
    response = client_as("cadre_a").post(
        reverse("fieldwork:household_import"), {"file": xlsx(rows), "village": tree.village_a.pk}
    )
    page = response.content.decode()
    assert 'id="import-report"' in page and "户号 A001 已存在" in page and "未导入任何数据" in page


def test_a_cadre_cannot_import_into_another_village(client_as, tree):
    response = client_as("cadre_a").post(
        reverse("fieldwork:household_import"), {"file": xlsx(GOOD), "village": tree.village_b.pk}
    )
    assert response.status_code == 200 and Household.objects.count() == 0


def test_the_export_masks_personal_data_and_escapes_formulas(client_as, households):
    households.a2.head_name = '=HYPERLINK("http://x")'
    households.a2.save()
    response = client_as("cadre_a").get(reverse("fieldwork:household_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("户号", "户主姓名")
    by_number = {r[0]: r for r in rows[1:]}
    assert set(by_number) == {"A001", "A002"}
    assert by_number["A001"][4] == "138****5678" and by_number["A001"][5] == "6109**********1234"
    assert by_number["A002"][1] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_escape_cell_guards_every_formula_start(value):
    assert escape_cell(value).startswith("'")


def test_escape_cell_leaves_plain_text_and_numbers():
    assert escape_cell("陈明") == "陈明" and escape_cell(-5) == -5
