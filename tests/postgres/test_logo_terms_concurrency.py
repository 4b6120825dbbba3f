"""Logo terms: however many admins press "accept" at once, one row is kept."""

import pytest

from tests import factories
from tests.postgres.test_concurrency import hammer
from wagtail_pledges import logo_kit
from wagtail_pledges.models import LogoTermsAcceptance, OrganisationRole

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_100_concurrent_acceptances_make_one_row():
    plan = factories.approved_plan()
    organisation = plan.organisation
    admins = [plan.created_by]
    for _ in range(4):
        admin = factories.UserFactory(verified=True)
        OrganisationRole.objects.create(organisation=organisation, user=admin, role="admin")
        admins.append(admin)
    turn = iter(range(1000))
    results = hammer(lambda: logo_kit.accept_terms(admins[next(turn) % len(admins)],
                                                   organisation).pk)
    assert len(set(results)) == 1
    assert LogoTermsAcceptance.objects.filter(organisation=organisation).count() == 1
