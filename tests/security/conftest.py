"""Fixtures of the security tests: the projects data set (a funded project and the payment chain)."""

from tests.projects.conftest import chain, funded, handler  # noqa: F401
