"""Whatever JSON a hostile client sends to a write endpoint: never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.api.conftest import API
from wagtail_pledges import lifecycle

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=6,
)
FIELDS = ["page", "video", "start", "end", "duration", "action", "strategy", "target_date",
          "practices", "public_summary", "priorities", "signoff_name", "signoff_confirmed",
          "name", "sector", "location", "website", "size_band", "token", "email", "role",
          "body", "confirm", "id"]
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6) | json_values


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, path=st.sampled_from([
    "pledge/commit/", "pledge/videos/progress/", "organisations/", "action-plans/{plan}/",
    "action-plans/{plan}/sign-off/", "organisations/{org}/invitations/",
    "organisations/{org}/people/{user}/", "email/confirm/", "legacy/claim/",
    "invitations/accept/", "pledge/updates/", "me/erase/",
]))
def test_no_body_gives_a_server_error(api, individual_page, body, path):
    plan = factories.draft_plan()
    factories.complete_pledge(lifecycle.start_individual(plan.created_by), watched=False)
    api.force_login(plan.created_by)
    url = API + path.format(plan=plan.pk, org=plan.organisation_id, user=plan.created_by_id)
    method = "patch" if "people" in path else "put" if path == "action-plans/{plan}/" \
        else "post"
    response = getattr(api, method)(url, body, format="json")
    # A well-formed body may go through (200s); nothing may be a server error.
    assert response.status_code < 500, (url, body, response.content[:300])
