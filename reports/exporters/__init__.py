"""The report builders; importing this package registers them (see reports.apps)."""

from reports.exporters import disputes, funding, monthly  # noqa: F401
