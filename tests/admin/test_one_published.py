"""One published plan per organisation and one published pledge per member, whatever the
admin is sent: the database refuses a second, and the snippet editor refuses the bare
Publish and Unpublish that would bypass the lifecycle (docs/reference/admin.md)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import ActionPlan, Pledge


def renewed_plan(reviewer):
    """An organisation on its second plan: the first approved, then unpublished by the
    renewal's approval."""
    with freeze_time("2026-01-10"):
        first = factories.approved_plan()
    with freeze_time("2027-12-01"):
        lifecycle.run_daily()
        renewal = lifecycle.start_organisation(first.created_by, organisation=first.organisation)
        factories.complete_plan(renewal)
        lifecycle.submit_plan(renewal, first.created_by)
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
def test_a_forged_publish_of_an_old_plan_is_refused(client, request, reviewer, who):
    first, renewal = renewed_plan(reviewer)
    client.force_login(request.getfixturevalue(who))
    response = client.post(snippet_url(ActionPlan, "edit", first), {
        "public_summary": "Back on the site", "signoff_name": "X", "signoff_role": "Y",
        "action-publish": "action-publish",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    first.refresh_from_db()
    assert first.live is False and first.public_summary != "Back on the site"
    assert list(ActionPlan.objects.filter(organisation=first.organisation, live=True)) \
        == [renewal]


@pytest.mark.django_db
def test_the_editor_offers_no_publish_and_still_opens(client, superuser, reviewer):
    first, _ = renewed_plan(reviewer)
    client.force_login(superuser)
    response = client.get(snippet_url(ActionPlan, "edit", first))
    assert response.status_code == 200
    assert 'name="action-publish"' not in response.content.decode()


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
