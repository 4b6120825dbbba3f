"""Who answers "is this address verified?": the member's profile, then the site's hook."""

import pytest

from tests import factories
from wagtail_pledges.email_verification import email_is_verified
from wagtail_pledges.models import MemberProfile

pytestmark = pytest.mark.django_db

ASKED = []


def hook_says_yes(user):
    ASKED.append(user.pk)
    return True


def hook_says_no(user):
    ASKED.append(user.pk)
    return False


@pytest.fixture
def hook(settings):
    ASKED.clear()

    def use(name):
        settings.WAGTAIL_PLEDGES = {"EMAIL_VERIFIED_HOOK": f"{__name__}.{name}"}
    return use


def loaded(user):
    """The user as every lifecycle lock reads them: the profile joined (or none)."""
    return type(user).objects.select_related("pledges_profile").get(pk=user.pk)


def test_a_loaded_verified_profile_answers_without_asking_the_hook(
        hook, django_assert_num_queries):
    hook("hook_says_no")
    user = loaded(factories.UserFactory(verified=True))
    with django_assert_num_queries(0):
        assert email_is_verified(user)
    assert ASKED == []


def test_the_hook_answers_when_the_profile_says_no(hook, django_assert_num_queries):
    hook("hook_says_yes")
    user = factories.UserFactory()
    MemberProfile.objects.get_or_create(user=user)
    user = loaded(user)
    with django_assert_num_queries(0):
        assert email_is_verified(user)
    assert ASKED == [user.pk]
    hook("hook_says_no")
    with django_assert_num_queries(0):
        assert not email_is_verified(user)


def test_no_profile_row_is_not_verified_unless_the_hook_says_so(hook):
    hook("hook_says_no")
    user = factories.UserFactory()
    MemberProfile.objects.filter(user=user).delete()
    assert not email_is_verified(loaded(user))
    assert not email_is_verified(type(user).objects.get(pk=user.pk))
    hook("hook_says_yes")
    assert email_is_verified(loaded(user))


def test_a_profile_not_loaded_is_read_only_when_the_hook_says_no(
        hook, django_assert_num_queries):
    hook("hook_says_yes")
    user = factories.UserFactory(verified=True)
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(0):
        assert email_is_verified(user)
    hook("hook_says_no")
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert email_is_verified(user)
