"""The parameters form lives with the exporter base class (each exporter may extend it)."""

from reports.base import ReportParamsForm

__all__ = ["ReportParamsForm"]
