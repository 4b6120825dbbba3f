"""Property-based run of the whole API against its own OpenAPI document, as an
anonymous client: no server errors, and every documented answer matches its schema."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_test_connection():
    """A real WSGI handler closes "old" connections at each request's start and end,
    which on PostgreSQL closes the test's own transaction (as Django's test client
    avoids): keep it open while the handler runs."""
    hooks = (signals.request_started, signals.request_finished)
    for hook in hooks:
        hook.disconnect(close_old_connections)
    yield
    for hook in hooks:
        hook.connect(close_old_connections)


def test_anonymous_client_gets_no_server_error(keep_test_connection):
    from django.core.wsgi import get_wsgi_application

    factories.approved_plan()
    schema = schemathesis.openapi.from_wsgi("/api/pledges/v1/schema/?format=json",
                                            get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    calls = []

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call()
            calls.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error,
                                                      response_schema_conformance])

        run()
    assert len(calls) >= 3 * len(operations) and max(calls) < 500
