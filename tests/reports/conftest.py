"""Fixtures of the reports tests: a tiny exporter with known figures, and helpers to read generated files."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import gettext_lazy

from reports import base
from reports.base import DATE, INT, MONEY, PERCENT, TEXT, WAN, Column, Exporter, ReportData, Section, Stat, Table

KNOWN_ROWS = [
    ["拦水坝", 1, Decimal("123456.78"), Decimal("1234567.89"), Decimal("87.50")],
    ['=HYPERLINK("http://x")', 7, Decimal("0.10"), Decimal("20000"), None],
    ["-2+3", 3000, Decimal("9999999.99"), Decimal("0"), Decimal("0")],
]


class KnownExporter(Exporter):
    """Builds the same small report every time: the figures the file tests look for."""

    identifier = "test_known"
    verbose_name = gettext_lazy("Known test report")

    def build(self, params):
        table = Table(
            title="资金支出明细",
            columns=[
                Column("name", "名称", TEXT),
                Column("count", "数量", INT),
                Column("paid", "已支付（元）", MONEY),
                Column("budget", "预算（万元）", WAN),
                Column("rate", "完成率", PERCENT),
            ],
            rows=list(KNOWN_ROWS),
            totals=["合计", 3008, Decimal("10123456.77"), None, None],
        )
        dated = Table(title="日期", columns=[Column("on", "日期", DATE)], rows=[[params.start]])
        return ReportData(
            title=f"{params.area.name}测试报告",
            issuer="安康市总工会",
            area=params.area,
            start=params.start,
            end=params.end,
            sections=[
                Section(
                    heading="基本情况",
                    paragraphs=["本期资金使用情况良好。"],
                    stats=[Stat("预算总额", Decimal("200000"), MONEY), Stat("万元合计", Decimal("200000"), WAN)],
                    tables=[table, dated],
                ),
                Section(heading="存在问题", paragraphs=["暂无。"]),
            ],
        )


class FailingExporter(Exporter):
    identifier = "test_failing"
    verbose_name = gettext_lazy("Failing test report")

    def build(self, params):
        self.progress(40)
        raise RuntimeError("数据源不可用")


@pytest.fixture
def known_exporters():
    """Register the test exporters for one test (and remove them afterwards)."""
    registry = base._REGISTRY
    saved = dict(registry)
    base.register(KnownExporter)
    base.register(FailingExporter)
    yield
    registry.clear()
    registry.update(saved)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True).stdout.decode()


def pdf_fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode()


def docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


@pytest.fixture
def shared_media(settings, monkeypatch):
    """Request before `qcluster`: the cluster process then writes to this test's MEDIA_ROOT."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    return Path(settings.MEDIA_ROOT)


from tests.projects.conftest import chain, funded, handler  # noqa: E402, F401 - the projects data set
