"""The commit step (page and API) finds the member's pledge under its row locks:
the pledge is not read before the transaction, and what
the step answered before — a replay, a decided pledge, no pledge at all — it still
answers (issue 13: one statement fewer per submission)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.api.conftest import API
from tests.pages.conftest import watch
from tests.pages.test_individual import ready_to_commit, url
from wagtail_pledges import lifecycle
from wagtail_pledges.models import OutboxMessage, Pledge, ReviewStatus

pytestmark = pytest.mark.django_db
# The signed-in user's standing (read with the user, wagtail_pledges.auth) joins the
# membership; the pledge is the commit step's own read.
TABLES = ('"wagtail_pledges_pledge"',)


def before_the_transaction(queries) -> list[str]:
    """Statements sent before the submission's transaction (a savepoint in a test)."""
    sql = [q["sql"] for q in queries]
    first = next(i for i, s in enumerate(sql) if s.startswith(("SAVEPOINT", "BEGIN")))
    return sql[:first]


def typed(**changes) -> dict:
    return {"action": "Debrief after every incident.", "strategy": factories.strategy(),
            "target_date": lifecycle.today() + datetime.timedelta(days=60),
            "practices": [], **changes}


def test_the_page_reads_no_pledge_before_the_lock(client, individual_page):
    factories.active_individual()
    user, data = ready_to_commit(client, individual_page)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(individual_page, "commit/"), data)
    assert response["Location"] == url(individual_page, "done/")
    early = before_the_transaction(queries)
    assert not [s for s in early if any(table in s for table in TABLES)], early
    assert Pledge.objects.get(user=user).review_status == ReviewStatus.APPROVED


def test_the_api_reads_no_pledge_before_the_lock(individual_page):
    from rest_framework.test import APIClient

    from tests.api.test_write_individual import commit_body

    api = APIClient(enforce_csrf_checks=False)
    user = factories.UserFactory(verified=True)
    api.force_authenticate(user)
    lifecycle.start_individual(user)
    watch(user, individual_page)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(API + "pledge/commit/", commit_body(individual_page),
                            format="json")
    assert response.status_code == 200, response.content
    early = before_the_transaction(queries)
    assert not [s for s in early if any(table in s for table in TABLES)], early
    assert response.json()["pledge"]["review_status"] == "approved"


def test_submit_latest_pledge_submits_the_members_latest():
    user = factories.UserFactory(verified=True)
    first = lifecycle.start_individual(user)
    factories.watch_videos(user)
    pledge, submitted = lifecycle.submit_latest_pledge(user, edits=typed())
    assert submitted and pledge.pk == first.pk
    assert pledge.review_status == ReviewStatus.APPROVED and pledge.live
    assert pledge.membership.status == "active"  # locked and loaded with it


def test_a_member_without_a_pledge_is_told_so():
    user = factories.UserFactory(verified=True)
    with pytest.raises(Pledge.DoesNotExist):
        lifecycle.submit_latest_pledge(user, edits=typed())


@pytest.mark.parametrize("status", [ReviewStatus.APPROVED, ReviewStatus.SUBMITTED,
                                    ReviewStatus.DECLINED])
def test_a_pledge_no_longer_theirs_to_edit_is_left_as_it_is(status):
    user = factories.UserFactory(verified=True)
    pledge = lifecycle.start_individual(user)
    Pledge.objects.filter(pk=pledge.pk).update(review_status=status, action="As it was.")
    found, submitted = lifecycle.submit_latest_pledge(user, edits=typed(action="Changed"))
    assert (found.pk, submitted, found.review_status) == (pledge.pk, False, status)
    assert Pledge.objects.get(pk=pledge.pk).action == "As it was."
    assert not OutboxMessage.objects.filter(to=user.email).exists()


def test_a_replayed_page_commit_goes_to_the_journey_without_an_error(client,
                                                                     individual_page):
    user, data = ready_to_commit(client, individual_page)
    client.post(url(individual_page, "commit/"), data)
    again = client.post(url(individual_page, "commit/"), {**data, "action": "Changed"},
                        follow=True)
    assert again.redirect_chain[-1][0] == url(individual_page, "done/")
    assert not list(again.context["messages"])
    assert Pledge.objects.get(user=user).action == "Reduce seclusion"


def test_a_page_commit_with_no_pledge_goes_to_the_journey(client, individual_page):
    user = factories.UserFactory(verified=True)
    client.force_login(user)
    data = {"action": "Reduce seclusion", "strategy": factories.strategy().pk,
            "target_date": (lifecycle.today() + datetime.timedelta(days=30)).isoformat()}
    response = client.post(url(individual_page, "commit/"), data)
    assert response.status_code == 302
    assert not Pledge.objects.filter(user=user).exists()
