import pytest
from freezegun import freeze_time

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Membership, OrganisationRole
from wagtail_pledges.policy import MembershipPolicy, forget_standing, get_policy

pytestmark = pytest.mark.django_db


def benefits(user):
    forget_standing(user)
    return get_policy().benefits_for(user)


def test_anonymous_and_non_members_have_nothing(user):
    from django.contrib.auth.models import AnonymousUser

    assert benefits(AnonymousUser()) == frozenset()
    assert benefits(user) == frozenset()
    assert not get_policy().is_member(user)


def test_individual_gets_resources_and_forum_not_logo():
    user = factories.active_individual().user
    assert benefits(user) == {"resources", "forum"}
    assert get_policy().has_benefit(user, "resources")
    assert not get_policy().has_benefit(user, "logo")


def test_unknown_benefit_is_an_error(user):
    with pytest.raises(ValueError, match="Unknown benefit"):
        get_policy().has_benefit(user, "parking")


def test_organisation_admin_gets_everything_staff_inherit_some():
    plan = factories.approved_plan()
    staff = factories.UserFactory()
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    assert benefits(plan.created_by) == {"resources", "forum", "logo", "directory"}
    assert benefits(staff) == {"resources", "forum", "logo"}


def test_submitted_has_benefits_only_when_allowed(settings):
    plan = factories.submitted_plan()
    assert benefits(plan.created_by) == frozenset()
    settings.WAGTAIL_PLEDGES = {"SUBMITTED_HAS_BENEFITS": True}
    assert "resources" in benefits(plan.created_by)


def test_legacy_benefits_end_at_the_deadline(settings):
    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2020-09-30"}
    user = factories.UserFactory()
    membership, _ = lifecycle.get_or_create_membership("individual", member=user)
    lifecycle.mark_legacy(membership)
    with freeze_time("2020-09-30"):
        assert benefits(user) == {"resources", "forum"}
    with freeze_time("2020-10-01"):
        assert benefits(user) == frozenset()


def test_standing_is_cached_per_user_object(django_assert_num_queries):
    user = factories.active_individual().user
    forget_standing(user)
    with django_assert_num_queries(1):
        for _ in range(5):
            get_policy().benefits_for(user)


class NoForumPolicy(MembershipPolicy):
    staff_benefits = ("resources",)

    def benefits_for(self, user):
        return super().benefits_for(user) - {"forum"}


def test_policy_is_swappable(settings):
    settings.WAGTAIL_PLEDGES = {"POLICY": "tests.core.test_policy.NoForumPolicy"}
    user = factories.active_individual().user
    assert isinstance(get_policy(), NoForumPolicy)
    assert benefits(user) == {"resources"}


def test_reviewer_permission(reviewer, user, superuser):
    policy = get_policy()
    assert policy.can_review(reviewer)
    assert policy.can_review(superuser)
    assert not policy.can_review(user)


def _orm_standing(user):
    """The standing as the ORM reads it, relation by relation (the reference)."""
    own = Membership.objects.filter(user_id=user.pk).first()
    roles = tuple((role, getattr(role.organisation, "membership", None)) for role in
                  OrganisationRole.objects.filter(user_id=user.pk)
                  .select_related("organisation__membership").order_by("pk"))
    return own, roles


def _fields(instance):
    if instance is None:
        return None
    return {f.attname: f.value_from_object(instance) for f in type(instance)._meta.concrete_fields}


def test_standing_in_one_query_is_the_orms(django_assert_num_queries):
    """The one-query standing holds the same rows as the ORM reads, with every relation
    between them in place, for people with nothing, their own membership, and roles in
    organisations with and without a membership."""
    nobody = factories.UserFactory(verified=True)
    individual = factories.active_individual().user
    admin = factories.approved_plan().created_by
    OrganisationRole.objects.create(organisation=factories.OrganisationFactory(), user=admin,
                                    role=OrganisationRole.Role.STAFF)  # no membership
    lifecycle_member = factories.active_individual(user=admin)  # and their own
    assert lifecycle_member.user == admin
    for user in (nobody, individual, admin):
        user = type(user).objects.get(pk=user.pk)
        own, roles = _orm_standing(user)
        with django_assert_num_queries(1):
            standing = get_policy().standing(user)
            # Following the relations costs nothing more.
            for role, membership in standing.organisations:
                role.organisation.name  # noqa: B018
                role.user.email  # noqa: B018
                if membership is not None:
                    membership.organisation.slug  # noqa: B018
                else:
                    assert getattr(role.organisation, "membership", None) is None
            if standing.own is not None:
                standing.own.user.email  # noqa: B018
        assert _fields(standing.own) == _fields(own)
        assert [(_fields(r), _fields(m)) for r, m in standing.organisations] == \
            [(_fields(r), _fields(m)) for r, m in roles]
    assert len(get_policy().standing(type(admin).objects.get(pk=admin.pk)).organisations) == 2
