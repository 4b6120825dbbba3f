"""The directory's sort key (each plan's copy of its organisation's name) stays true,
and the published set it orders is each member organisation's latest approved plan,
through every step of the lifecycle."""

import pytest
from django.db import connection
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import ActionPlan, Membership, Organisation

pytestmark = pytest.mark.django_db


def listed():
    """(plan pk, organisation pk) as the directory and the API list them, in order."""
    return list(ActionPlan.objects.published_for_directory().values_list("pk", "organisation"))


def stored_name(plan) -> str:
    return ActionPlan.objects.values_list("organisation_name", flat=True).get(pk=plan.pk)


def renew(plan, reviewer):
    """The next period's plan, approved (inside the renewal window)."""
    lifecycle.run_daily()
    renewal = lifecycle.start_organisation(plan.created_by, organisation=plan.organisation)
    factories.complete_plan(renewal)
    lifecycle.submit_plan(renewal, plan.created_by)
    return lifecycle.approve(renewal, reviewer)


def test_a_new_plan_carries_its_organisations_name():
    plan = factories.approved_plan()
    assert stored_name(plan) == plan.organisation.name != ""
    assert listed() == [(plan.pk, plan.organisation_id)]


@pytest.mark.parametrize("update_fields", [None, ["name"]])
def test_a_rename_rewrites_the_copy_and_moves_the_plan(update_fields):
    first, second = factories.approved_plan(), factories.approved_plan()
    Organisation.objects.filter(pk=first.organisation_id).update(name="Aardvark Trust")
    Organisation.objects.filter(pk=second.organisation_id).update(name="Badger Trust")
    for plan in (first, second):  # the copy as save() would have made it
        plan.refresh_from_db()
        plan.save()
    assert [p for p, _ in listed()] == [first.pk, second.pk]
    organisation = Organisation.objects.get(pk=first.organisation_id)
    organisation.name = "Zebra Trust"
    organisation.save(**({"update_fields": update_fields} if update_fields else {}))
    assert stored_name(first) == "Zebra Trust"
    assert [p for p, _ in listed()] == [second.pk, first.pk]


def test_an_organisation_not_loaded_from_the_database_still_renames_its_plans():
    plan = factories.approved_plan()
    organisation = Organisation.objects.get(pk=plan.organisation_id)
    fresh = Organisation(**{f.attname: getattr(organisation, f.attname)
                            for f in Organisation._meta.concrete_fields})
    fresh._state.adding = False
    fresh.name = "Renamed Trust"
    fresh.save()
    assert stored_name(plan) == "Renamed Trust"


def test_publishing_an_older_revision_keeps_the_current_name():
    plan = factories.approved_plan()
    revision = ActionPlan.objects.get(pk=plan.pk).save_revision(clean=False)
    organisation = plan.organisation
    organisation.name = "Renamed After The Revision"
    organisation.save()
    revision.publish(skip_permission_checks=True)  # a full save of the revision's copy
    assert stored_name(plan) == "Renamed After The Revision"


def test_renewal_lists_only_the_latest_plan(reviewer):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
        other = factories.approved_plan()
    with freeze_time("2027-12-01"):
        renewal = renew(plan, reviewer)
    assert renewal.sequence == 2
    shown = listed()
    assert sorted(shown) == sorted([(renewal.pk, plan.organisation_id),
                                    (other.pk, other.organisation_id)])
    assert len({org for _, org in shown}) == len(shown)  # no organisation twice
    assert stored_name(renewal) == plan.organisation.name


def test_a_plan_under_review_leaves_the_published_one_listed(reviewer):
    with freeze_time("2026-01-10"):
        plan = factories.approved_plan()
    with freeze_time("2027-12-01"):
        lifecycle.run_daily()
        renewal = lifecycle.start_organisation(plan.created_by, organisation=plan.organisation)
        factories.complete_plan(renewal)
        lifecycle.submit_plan(renewal, plan.created_by)
        assert listed() == [(plan.pk, plan.organisation_id)]
        lifecycle.decline(renewal, reviewer, "Not enough detail")
        assert listed() == [(plan.pk, plan.organisation_id)]


def test_lapse_and_withdrawal_take_the_plan_off():
    with freeze_time("2026-01-10"):
        lapsing = factories.approved_plan()
        leaving = factories.approved_plan()
        staying = factories.approved_plan()
        lifecycle.withdraw(Membership.objects.get(pk=leaving.membership_id), leaving.created_by,
                           "leaving")
        assert [p for p, _ in listed()] == sorted([lapsing.pk, staying.pk],
                                                  key=lambda pk: stored_name_of(pk))
    with freeze_time("2028-01-11"):
        lifecycle.run_daily()
    assert listed() == []  # both periods ended (staying never renewed)


def stored_name_of(pk):
    return ActionPlan.objects.values_list("organisation_name", flat=True).get(pk=pk)


def test_deleting_a_plan_or_its_organisation_takes_it_off():
    first, second = factories.approved_plan(), factories.approved_plan()
    ActionPlan.objects.filter(pk=first.pk).delete()
    assert listed() == [(second.pk, second.organisation_id)]
    Organisation.objects.filter(pk=second.organisation_id).delete()
    assert listed() == []


def test_the_migration_fills_existing_plans():
    from importlib import import_module

    from django.apps import apps

    plan = factories.approved_plan()
    ActionPlan.objects.update(organisation_name="")
    migration = import_module("wagtail_pledges.migrations.0010_plan_directory_order")

    class Editor:
        connection = connection

    migration.copy_organisation_names(apps, Editor())
    assert stored_name(plan) == plan.organisation.name
