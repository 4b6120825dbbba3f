import pytest
from django.core.cache import cache, caches


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


@pytest.fixture
def redis_cache(settings):
    """The default cache on the Redis server at 127.0.0.1:6379 (db 15), as in
    production: the package's own backend. Emptied before and after; an unreachable
    server fails the test (never a silent skip). For tests marked ``redis``."""
    settings.CACHES = {"default": {
        "BACKEND": "wagtail_pledges.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15", "KEY_PREFIX": "pledges-tests"}}
    cache = caches["default"]
    try:
        cache.clear()
    except Exception as exc:  # noqa: BLE001 - a clear failure, not a silent skip
        pytest.fail(f"Redis is not reachable on 127.0.0.1:6379 ({exc}); start it first")
    yield cache
    cache.clear()


@pytest.fixture
def use_email_backend(settings):
    """``use(backend)``: the default mailer sends with ``backend`` for this test, however
    the settings name it — ``MAILERS`` (Django 6.1, where ``EMAIL_BACKEND`` is
    deprecated and ignored beside it) or ``EMAIL_BACKEND``."""
    def use(backend: str) -> None:
        if hasattr(settings, "MAILERS"):
            settings.MAILERS = {"default": {"BACKEND": backend}}
        else:
            settings.EMAIL_BACKEND = backend

    return use
