"""One directory (QuerySet + FilterSet) for page and API; plan drafts and slugs as services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from wagtail_pledges.models import ActionPlan, Organisation, Priority
from wagtail_pledges.organisations import save_plan_draft, unique_organisation_slug

pytestmark = pytest.mark.django_db


def _fields(what, strategy="leadership"):
    return {"what": what, "strategy": factories.strategy(strategy), "lead_role": "Lead",
            "timescale_months": 6, "success_measure": "Measured"}


def test_latest_per_organisation_is_each_organisations_newest_plan():
    first = factories.approved_plan()
    organisation = first.organisation
    newer = ActionPlan.objects.create(organisation=organisation, membership=first.membership,
                                      sequence=first.sequence + 1)
    other = factories.draft_plan()
    factories.draft_plan()  # an organisation not asked about
    latest = {p.organisation_id: p for p in ActionPlan.objects.latest_per_organisation(
        [organisation.pk, other.organisation.pk])}
    assert latest == {organisation.pk: newer, other.organisation.pk: other}


def test_save_plan_draft_orders_updates_and_deletes_priorities():
    plan = factories.draft_plan()
    admin = plan.created_by
    save_plan_draft(plan, user=admin, public_summary="S", practices=[],
                    priorities=[_fields("A"), _fields("B"), _fields("C")])
    a, b, c = Priority.objects.filter(plan=plan).order_by("sort_order")
    save_plan_draft(plan, user=admin, public_summary="S2", practices=[],
                    priorities=[{**_fields("C2"), "id": c.pk}, {**_fields("A"), "id": a.pk}],
                    delete=[b.pk])
    assert list(Priority.objects.filter(plan=plan).order_by("sort_order")
                .values_list("pk", "what")) == [(c.pk, "C2"), (a.pk, "A")]
    plan.refresh_from_db()
    assert plan.public_summary == "S2"


def test_save_plan_draft_refuses_non_admins_and_closed_plans():
    plan = factories.draft_plan()
    stranger = factories.UserFactory()
    with pytest.raises(PermissionDenied):
        save_plan_draft(plan, user=stranger, public_summary="x", practices=[], priorities=[])
    submitted = factories.submitted_plan()
    with pytest.raises(ValidationError):
        save_plan_draft(submitted, user=submitted.created_by, public_summary="x",
                        practices=[], priorities=[])
    submitted.refresh_from_db()
    assert submitted.public_summary != "x"


def test_save_plan_draft_never_moves_another_plans_priority():
    plan, other = factories.draft_plan(), factories.complete_plan(factories.draft_plan())
    foreign = other.priorities.first()
    save_plan_draft(plan, user=plan.created_by, public_summary="S", practices=[],
                    priorities=[{**_fields("Mine"), "id": foreign.pk}], delete=[foreign.pk])
    foreign.refresh_from_db()
    assert foreign.plan_id == other.pk and foreign.what != "Mine"
    assert not Priority.objects.filter(plan=plan).exists()


def test_unique_organisation_slug():
    assert unique_organisation_slug("St Elsewhere Trust") == "st-elsewhere-trust"
    Organisation.objects.create(name="St Elsewhere Trust", slug="st-elsewhere-trust")
    slug = unique_organisation_slug("St Elsewhere Trust")
    assert slug.startswith("st-elsewhere-trust-") and len(slug) == len("st-elsewhere-trust-") + 6
    assert unique_organisation_slug("!!!") == "organisation"
