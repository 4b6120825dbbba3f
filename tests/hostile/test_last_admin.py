"""Issue 10: erasing an account cannot leave a member or joining organisation adminless."""

import pytest

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership, OrganisationRole

pytestmark = pytest.mark.django_db
ERASE = "/pledges/my-data/erase/"


@pytest.mark.parametrize("make_plan", [factories.draft_plan, factories.approved_plan])
def test_the_last_admin_cannot_erase_their_account(client, make_plan):
    plan = make_plan()
    admin = plan.created_by
    client.force_login(admin)
    response = client.post(ERASE, {"confirm": "erase"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "You are the last admin of" in body and "Make someone else an admin" in body
    admin.refresh_from_db()
    assert admin.is_active and "erased" not in admin.email
    assert OrganisationRole.objects.filter(user=admin, role="admin").exists()
    # Leaving says the same.
    leave = client.post(f"/pledges/organisations/{plan.organisation_id}/leave/")
    assert "You are the last admin of" in leave.content.decode()


def test_with_a_second_admin_erasure_goes_ahead(client):
    plan = factories.approved_plan()
    other = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=plan.organisation, user=other, role="admin")
    client.force_login(plan.created_by)
    response = client.post(ERASE, {"confirm": "erase"})
    assert response.status_code == 302
    assert list(OrganisationRole.objects.filter(organisation=plan.organisation)
                .values_list("user", flat=True)) == [other.pk]


def test_the_last_admin_of_a_lapsed_organisation_may_erase(client):
    plan = factories.approved_plan()
    lifecycle.lapse(Membership.objects.get(organisation=plan.organisation))
    client.force_login(plan.created_by)
    assert client.post(ERASE, {"confirm": "erase"}).status_code == 302
