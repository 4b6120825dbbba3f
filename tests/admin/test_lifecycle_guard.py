"""What only the lifecycle (and the legacy service) may change stays theirs, whatever the
admin is sent: one published plan per organisation and one published pledge per member,
held by the database; the snippet editor refusing a bare Publish, Unpublish, Submit,
Restart or Cancel; and its forms holding only what people wrote, never statuses,
periods, owners or process dates (docs/reference/admin.md)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import ActionPlan, LegacySignatory, Pledge, ProgressUpdate


def renewed_plan(reviewer):
    """An organisation on its second plan: the first approved, then unpublished by the
    renewal's approval."""
    first, renewal = factories.renewal_in_review()
    with freeze_time("2027-12-01"):
        lifecycle.approve(renewal, reviewer)
    first.refresh_from_db()
    renewal.refresh_from_db()
    assert (first.live, renewal.live) == (False, True)
    return first, renewal


def snippet_url(model, name, obj):
    return reverse(f"wagtailsnippets_wagtail_pledges_{model._meta.model_name}:{name}",
                   args=[obj.pk])


@pytest.mark.django_db
def test_the_database_refuses_a_second_published_plan(reviewer):
    first, _ = renewed_plan(reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.filter(pk=first.pk).update(live=True)


@pytest.mark.django_db
def test_the_database_refuses_a_second_published_pledge():
    pledge = factories.active_individual()
    older = Pledge.objects.create(
        user=pledge.user, membership=pledge.membership, sequence=pledge.sequence + 1,
        review_status=pledge.review_status, live=False, action="An older promise",
        strategy=pledge.strategy,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=older.pk).update(live=True)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "superuser"])
@pytest.mark.parametrize("action", ["publish", "submit", "restart-workflow"])
def test_a_forged_publish_or_submit_of_an_old_plan_is_refused(client, request, reviewer, who,
                                                              action):
    """Publish would put the old plan back beside its renewal; Submit would start a
    review of a plan its member never submitted (whose approval Wagtail publishes)."""
    first, renewal = renewed_plan(reviewer)
    client.force_login(request.getfixturevalue(who))
    response = client.post(snippet_url(ActionPlan, "edit", first), {
        "public_summary": "Back on the site", "signoff_name": "X", "signoff_role": "Y",
        f"action-{action}": f"action-{action}",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    first.refresh_from_db()
    assert first.live is False and first.public_summary != "Back on the site"
    assert first.current_workflow_state is None
    assert list(ActionPlan.objects.filter(organisation=first.organisation, live=True)) \
        == [renewal]


@pytest.mark.django_db
def test_a_forged_cancel_of_a_review_is_refused(client, reviewer):
    """Cancelling would leave a submitted renewal with no workflow to decide it."""
    _, renewal = factories.renewal_in_review()
    with freeze_time("2027-12-02"):
        client.force_login(reviewer)
        response = client.post(snippet_url(ActionPlan, "edit", renewal), {
            "action-cancel-workflow": "action-cancel-workflow"})
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    renewal.refresh_from_db()
    assert renewal.review_status == "submitted"
    assert renewal.current_workflow_state.status == "in_progress"


@pytest.mark.django_db
def test_the_editor_offers_no_lifecycle_action_and_still_opens(client, superuser, reviewer):
    first, _ = renewed_plan(reviewer)
    client.force_login(superuser)
    response = client.get(snippet_url(ActionPlan, "edit", first))
    assert response.status_code == 200
    html = response.content.decode()
    for action in ("publish", "unpublish", "submit", "restart-workflow", "cancel-workflow"):
        assert f'name="action-{action}"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_unpublish_view_is_refused(client, superuser, reviewer, method):
    _, renewal = renewed_plan(reviewer)
    client.force_login(superuser)
    response = getattr(client, method)(snippet_url(ActionPlan, "unpublish", renewal))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    renewal.refresh_from_db()
    assert renewal.live is True


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_latest_and_unpublishes_the_rest(reviewer, capsys):
    first, renewal = renewed_plan(reviewer)
    call_command("migrate", "wagtail_pledges", "0013", verbosity=0)
    try:
        # What the bare Publish button could do before: the old plan back on the site.
        ActionPlan.objects.filter(pk=first.pk).update(live=True)
    finally:
        call_command("migrate", "wagtail_pledges", verbosity=0)
    first.refresh_from_db()
    renewal.refresh_from_db()
    assert (first.live, renewal.live) == (False, True)
    assert renewal.period_end > datetime.date(2029, 1, 1)
    assert f"unpublished [{first.pk}]" in capsys.readouterr().out


@pytest.mark.django_db
def test_approving_a_renewal_with_wagtails_workflow_action_swaps_the_live_plan(client, reviewer):
    """Wagtail publishes the workflow's revision when its last task is approved: the plan
    it renews must already be off the site, or the database refuses the second."""
    first, renewal = factories.renewal_in_review()
    task_state = renewal.current_workflow_state.current_task_state
    with freeze_time("2027-12-02"):
        client.force_login(reviewer)
        response = client.post(
            reverse("wagtailsnippets_wagtail_pledges_actionplan:workflow_action",
                    args=[renewal.pk, "approve", task_state.pk]),
            {"comment": ""})
    assert response.status_code in (200, 302), response.content[:500]
    first.refresh_from_db()
    renewal.refresh_from_db()
    assert (first.live, renewal.live) == (False, True)
    assert renewal.review_status == "approved"


@pytest.mark.django_db
def test_the_editor_writes_only_a_plans_content(client, reviewer):
    """What the lifecycle owns (review status, period, membership, organisation, sequence,
    dates) is not in the snippet form: a posted value for it is ignored, while the
    plan's own words are saved (a submitted plan is not live, so its draft is its row)."""
    plan = factories.submitted_plan()
    owner = (plan.organisation_id, plan.membership_id)
    other = factories.approved_plan()
    client.force_login(reviewer)
    response = client.post(snippet_url(ActionPlan, "edit", plan), {
        "public_summary": "Typo fixed by the reviewer", "signoff_name": "Dr Jane Doe",
        "signoff_role": "Chief Executive", "signoff_confirmed": "on",
        "review_status": "approved", "organisation": other.organisation_id,
        "membership": other.membership_id, "sequence": "9", "period_start": "2026-01-01",
        "period_end": "2099-01-01", "submitted_at": "2020-01-01 00:00",
        "decided_at": "2020-01-01 00:00", "created_by": reviewer.pk,
        "first_published_at": "2020-01-01 00:00",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.public_summary == "Typo fixed by the reviewer"
    assert (plan.review_status, plan.organisation_id, plan.membership_id, plan.sequence) == (
        "submitted", *owner, 1)
    assert owner != (other.organisation_id, other.membership_id)
    assert plan.period_end is None and plan.decided_at is None and plan.expire_at is None
    assert plan.created_by_id != reviewer.pk


@pytest.mark.django_db
def test_the_editor_writes_only_a_pledges_content(client, reviewer, settings):
    settings.WAGTAIL_PLEDGES = {**settings.WAGTAIL_PLEDGES, "INDIVIDUAL_REQUIRES_REVIEW": True}
    pledge = factories.active_individual()
    assert pledge.review_status == "submitted"
    member = pledge.user_id
    intruder = factories.UserFactory()
    client.force_login(reviewer)
    response = client.post(snippet_url(Pledge, "edit", pledge), {
        "action": "A clearer action", "strategy": pledge.strategy_id,
        "target_date": pledge.target_date.isoformat(),
        "review_status": "approved", "user": intruder.pk, "sequence": "7",
        "period_end": "2099-01-01",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    pledge.refresh_from_db()
    assert pledge.action == "A clearer action"
    assert (pledge.review_status, pledge.user_id, pledge.sequence, pledge.period_end) == (
        "submitted", member, 1, None)


@pytest.mark.django_db
def test_staff_edit_an_updates_words_not_where_it_shows_or_who_wrote_it(client, superuser):
    plan, other = factories.approved_plan(), factories.approved_plan()
    update = ProgressUpdate.objects.create(plan=plan, author=plan.created_by, body="Week 1")
    client.force_login(superuser)
    response = client.post(snippet_url(ProgressUpdate, "edit", update), {
        "body": "Week one", "plan": other.pk, "author": superuser.pk})
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.body, update.plan_id, update.author_id) == (
        "Week one", plan.pk, plan.created_by_id)


@pytest.mark.django_db
def test_staff_correct_a_signatory_but_cannot_mark_it_claimed(client, superuser):
    signatory = LegacySignatory.objects.create(kind="individual", name="Ann", email="a@x.org")
    member = factories.active_individual()
    client.force_login(superuser)
    response = client.post(snippet_url(LegacySignatory, "edit", signatory), {
        "kind": "individual", "name": "Ann Smith", "email": " Ann@Example.ORG",
        "claimed_at": "2026-01-01 00:00", "invited_at": "2026-01-01 00:00",
        "membership": member.membership_id})
    assert response.status_code == 302
    signatory.refresh_from_db()
    # Lowercased, as the importer stores it.
    assert (signatory.name, signatory.email) == ("Ann Smith", "ann@example.org")
    assert (signatory.claimed_at, signatory.invited_at, signatory.membership_id) == (
        None, None, None)


@pytest.mark.django_db
def test_reverting_to_an_old_revision_keeps_the_review_status(client, reviewer, superuser):
    """A declined plan reverted to the revision recorded when it was submitted gets back
    its words, not its place in the review queue."""
    plan = factories.submitted_plan()
    submitted_revision = plan.latest_revision
    lifecycle.decline(plan, reviewer, "Not enough detail")
    plan.refresh_from_db()
    assert plan.review_status == "declined"
    client.force_login(superuser)
    response = client.post(
        reverse("wagtailsnippets_wagtail_pledges_actionplan:revisions_revert",
                args=[plan.pk, submitted_revision.pk]),
        {"public_summary": "As first written", "signoff_name": "Dr Jane Doe",
         "signoff_role": "Chief Executive", "signoff_confirmed": "on"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.public_summary == "As first written"
    assert (plan.review_status, plan.reviewer_comment) == ("declined", "Not enough detail")
    assert plan.decided_at is not None


@pytest.mark.django_db
def test_a_corrected_address_matching_another_signatory_is_a_form_error(client, superuser):
    LegacySignatory.objects.create(kind="individual", name="Ann", email="ann@example.org")
    other = LegacySignatory.objects.create(kind="individual", name="Bo", email="bo@x.org")
    client.force_login(superuser)
    response = client.post(snippet_url(LegacySignatory, "edit", other), {
        "kind": "individual", "name": "Bo", "email": "ANN@example.org"})
    assert response.status_code == 200  # the form again, with the error
    assert "already exists" in response.content.decode()
    other.refresh_from_db()
    assert other.email == "bo@x.org"
