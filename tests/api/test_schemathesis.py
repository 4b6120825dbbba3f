"""Property-based run of the whole API against its own OpenAPI document, as an
anonymous client: no server errors, and every documented answer matches its schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_client_gets_no_server_error():
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
