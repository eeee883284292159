"""Schema-driven API testing: schemathesis generates requests from our OpenAPI schema.

A bounded run (a few examples per operation, derandomised) as the HQ user: no answer may be a
server error, and every documented response must match the schema. (schemathesis' own pytest
plugin does not run under pytest 9 yet, so the operations are driven through Hypothesis here.)
"""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES_PER_OPERATION = 6


@pytest.fixture
def wsgi_app(db):
    # Like Django's test client: keep the test's connection open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def hq_headers(client_as):
    session = client_as("hq").cookies[django_settings.SESSION_COOKIE_NAME].value
    token = _get_new_csrf_string()
    return {"Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}; csrftoken={token}", "X-CSRFToken": token}


def _run_operation(operation, headers) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

    check()


def test_every_api_operation_survives_generated_requests(wsgi_app, hq_headers):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    failures, count = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        count += 1
        try:
            _run_operation(operation, hq_headers)
        except Exception as exc:  # collect every failing operation, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0][:300]}")
    print(f"{count} operations checked")
    assert count > 0
    assert failures == []
