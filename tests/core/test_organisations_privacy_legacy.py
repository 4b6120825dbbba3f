import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tests import factories
from wagtail_pledges import counts, legacy, organisations, privacy
from wagtail_pledges.models import (
    ActionToken,
    LegacySignatory,
    Membership,
    OrganisationRole,
    OutboxMessage,
    Status,
)
from wagtail_pledges.tokens import TokenError

pytestmark = pytest.mark.django_db


def token_from(template):
    body = OutboxMessage.objects.filter(template=template).latest("pk").render().text
    return re.search(r"/pledges/(?:confirm|invitation|claim)/([^/\s]+)/", body).group(1)


class TestStaff:
    def test_invite_accept_and_inherit_benefits(self):
        plan = factories.approved_plan()
        admin, organisation = plan.created_by, plan.organisation
        organisations.invite_staff(organisation, "New.Person@example.org", admin)
        person = factories.UserFactory(email="new.person@example.org")
        raw = token_from("staff_invitation")
        with transaction.atomic():
            role = organisations.accept_invitation(raw, person)
        assert role.role == OrganisationRole.Role.STAFF
        assert set(person.groups.values_list("name", flat=True)) == {
            "Members", "Organisation members"
        }
        with pytest.raises(TokenError), transaction.atomic():
            organisations.accept_invitation(raw, person)

    def test_invitation_is_for_the_invited_address_only(self):
        plan = factories.draft_plan()
        organisations.invite_staff(plan.organisation, "a@example.org", plan.created_by)
        intruder = factories.UserFactory(email="b@example.org")
        with pytest.raises(TokenError, match="a@example.org"), transaction.atomic():
            organisations.accept_invitation(token_from("staff_invitation"), intruder)
        assert not OrganisationRole.objects.filter(user=intruder).exists()

    def test_only_admins_invite_and_input_is_validated(self):
        plan = factories.draft_plan()
        stranger = factories.UserFactory()
        with pytest.raises(PermissionDenied):
            organisations.invite_staff(plan.organisation, "x@example.org", stranger)
        with pytest.raises(ValidationError) as exc:
            organisations.invite_staff(plan.organisation, "not-an-email", plan.created_by)
        assert "email" in exc.value.message_dict
        with pytest.raises(ValidationError):
            organisations.invite_staff(plan.organisation, plan.created_by.email, plan.created_by)
        assert not ActionToken.objects.exists()

    def test_last_admin_cannot_leave_or_step_down(self):
        plan = factories.draft_plan()
        admin = plan.created_by
        with pytest.raises(ValidationError, match="last admin"):
            organisations.remove_person(plan.organisation, admin, admin)
        with pytest.raises(ValidationError, match="at least one admin"):
            organisations.set_role(plan.organisation, admin, "staff", admin)
        second = factories.UserFactory()
        OrganisationRole.objects.create(organisation=plan.organisation, user=second, role="staff")
        organisations.set_role(plan.organisation, second, "admin", admin)
        organisations.remove_person(plan.organisation, admin, admin)
        assert list(plan.organisation.roles.values_list("user", flat=True)) == [second.pk]

    def test_removed_staff_lose_benefits(self):
        plan = factories.approved_plan()
        staff = factories.UserFactory()
        OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
        organisations.remove_person(plan.organisation, staff, plan.created_by)
        assert not staff.groups.exists()


class TestPrivacy:
    def test_export_contains_my_data(self):
        user = factories.active_individual().user
        data = privacy.export_member_data(user)
        json.dumps(data)
        assert data["account"]["email"] == user.email
        assert data["membership"]["status"] == "active"
        assert data["pledges"][0]["action"].startswith("Hold a debrief")
        assert [h["action"] for h in data["membership"]["history"]] == [
            "start", "submit", "approve"
        ]

    def test_erase_anonymises_but_keeps_counts_and_org_plan(self):
        plan = factories.approved_plan()
        user = factories.active_individual().user
        admin = plan.created_by
        # Issue 10: the sole admin may not erase; a second admin makes it possible.
        OrganisationRole.objects.create(organisation=plan.organisation, role="admin",
                                        user=factories.UserFactory(verified=True))
        before = counts.recount()
        privacy.erase_member(user)
        privacy.erase_member(admin)
        user.refresh_from_db()
        assert user.email.endswith("@invalid.example") and not user.is_active
        assert not user.has_usable_password() and user.first_name == ""
        assert Membership.objects.get(user=user).status == Status.WITHDRAWN
        assert user.pledges.get().action == ""
        plan.refresh_from_db()
        assert plan.live  # the organisation's published plan stays
        after = counts.recount()
        assert after["plans:published"] == before["plans:published"]
        assert after["members:individual:withdrawn"] == 1


class TestLegacy:
    CSV = (
        "kind,name,email,organisation,signed_on\n"
        "individual,Ann Smith,ann@example.org,,2015-03-01\n"
        "organisation,Bob Jones,bob@trust.example,Hill Trust,2014-06-20\n"
    )

    def test_import_is_idempotent(self):
        result = legacy.import_signatories(self.CSV)
        assert (result.created, result.unchanged, result.errors) == (2, 0, [])
        result = legacy.import_signatories(self.CSV)
        assert (result.created, result.unchanged) == (0, 2)

    def test_bad_file_imports_nothing_and_names_every_problem(self):
        bad = self.CSV + "robot,,nope,,2015-13-01\norganisation,X,x@example.org,,\n"
        result = legacy.import_signatories(bad)
        assert result.created == 0
        assert LegacySignatory.objects.count() == 0
        joined = "\n".join(map(str, result.errors))
        for expected in ("line 4: kind", "line 4: name", "line 4: email", "line 4: signed_on",
                         "line 5: organisation: an organisation signatory"):
            assert expected in joined
        assert "missing column" in str(legacy.import_signatories("a,b\n1,2\n").errors[0])

    def test_invite_and_claim_organisation(self, settings):
        settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": (datetime.date.today()
                                                        + datetime.timedelta(days=30)).isoformat()}
        legacy.import_signatories(self.CSV)
        signatory = LegacySignatory.objects.get(kind="organisation")
        assert legacy.invite(signatory)
        claimant = factories.UserFactory()
        with transaction.atomic():
            membership = legacy.claim(token_from("legacy_invitation"), claimant)
        assert membership.status == Status.LEGACY
        assert membership.organisation.name == "Hill Trust"
        assert OrganisationRole.objects.get(user=claimant).role == "admin"
        assert set(claimant.groups.values_list("name", flat=True)) == {
            "Members", "Organisation members"
        }
        signatory.refresh_from_db()
        assert signatory.claimed_at and not legacy.invite(signatory)
