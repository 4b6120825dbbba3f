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


SECRET = "Hidden Harbour Trust"
# Operations that end the run's own access (erasing the account, revoking the token).
ENDS_ACCESS = {("POST", "/api/pledges/v1/me/erase/"),
               ("DELETE", "/api/pledges/v1/auth/tokens/{id}/")}


def test_signed_in_admin_never_reaches_another_organisation(keep_test_connection):
    """The whole API again, signed in with a bearer token as one organisation's admin:
    every operation twice — as generated, and with every id in its path pointed at a
    second organisation (its plan, its admin). No server error, every answer matches
    the schema, the other organisation's name never appears, and nothing of it changes."""
    from django.core.wsgi import get_wsgi_application
    from knox.models import AuthToken

    from wagtail_pledges.models import ActionPlan, Organisation, OrganisationRole

    mine = factories.approved_plan()
    theirs = factories.complete_plan(factories.draft_plan())
    Organisation.objects.filter(pk=theirs.organisation_id).update(name=SECRET)
    ActionPlan.objects.filter(organisation_id=theirs.organisation_id).update(
        organisation_name=SECRET)
    before = (list(ActionPlan.objects.filter(pk=theirs.pk).values()),
              list(theirs.priorities.values()),
              list(OrganisationRole.objects.filter(organisation_id=theirs.organisation_id)
                   .values()))
    token = AuthToken.objects.create(mine.created_by)[1]
    auth = {"Authorization": f"Bearer {token}"}
    pointed = {"organisation_id": theirs.organisation_id, "plan_id": theirs.pk,
               "user_id": theirs.created_by_id, "id": theirs.pk}
    schema = schemathesis.openapi.from_wsgi("/api/pledges/v1/schema/?format=json",
                                            get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    calls = []

    for operation in operations:
        if (operation.method.upper(), operation.path) in ENDS_ACCESS:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            for aimed in (False, True):
                if aimed:
                    if not case.path_parameters:
                        return
                    for name in case.path_parameters:
                        case.path_parameters[name] = pointed.get(name, theirs.pk)
                response = case.call(headers=auth)
                calls.append(response.status_code)
                case.validate_response(response, checks=[not_a_server_error,
                                                          response_schema_conformance])
                assert SECRET not in response.text, (case.method, case.formatted_path)

        run()
    assert len(calls) >= 3 * len(operations) and max(calls) < 500
    assert 200 in calls  # signed in for real: some answers were the admin's own data
    after = (list(ActionPlan.objects.filter(pk=theirs.pk).values()),
             list(theirs.priorities.values()),
             list(OrganisationRole.objects.filter(organisation_id=theirs.organisation_id)
                  .values()))
    assert after == before
