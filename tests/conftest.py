import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory(verified=True)


@pytest.fixture
def reviewer(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    person = UserFactory(is_staff=True, verified=True)
    person.groups.add(Group.objects.get(name="Membership reviewers"))
    return person


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True, verified=True)


@pytest.fixture
def outbox(db):
    from wagtail_pledges.models import OutboxMessage

    def templates():
        return list(OutboxMessage.objects.order_by("pk").values_list("template", "to"))

    return templates
