"""The report builders; importing this package registers them (see reports.apps)."""

from reports.exporters import assessment, disputes, exports, funding, monthly, registers  # noqa: F401
