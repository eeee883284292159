"""A test-only app for the processes of the fault tests: registers a report that is slow to write.

Its rows come from a generator that sleeps, so the CSV renderer has the temporary file open and
half-written for several seconds: long enough to kill the worker mid-way.
"""

import os
import time

from django.apps import AppConfig

SLOW_IDENTIFIER = "test_slow"


class FaultsConfig(AppConfig):
    name = "tests.security"
    label = "security_faults"

    def ready(self):
        register_slow_exporter()


def register_slow_exporter():
    from reports.base import TEXT, Column, Exporter, ReportData, Section, Table, register

    class SlowExporter(Exporter):
        identifier = SLOW_IDENTIFIER
        verbose_name = "Slow test report"
        formats = ("csv",)

        def build(self, params):
            steps = int(os.environ.get("FAULT_SLOW_STEPS", "12"))

            def rows():
                for step in range(steps):
                    time.sleep(0.5)
                    self.progress(60 + step)  # the heartbeat of a live worker
                    yield [f"第{step}行", "x" * 4000]

            table = Table(title="慢表", columns=[Column("a", "序号", TEXT), Column("b", "内容", TEXT)], rows=rows())
            return ReportData(
                title="慢报告",
                issuer="测试",
                area=params.area,
                start=params.start,
                end=params.end,
                sections=[Section(heading="数据", tables=[table])],
            )

    return register(SlowExporter)
