"""``wagtail_pledges.auth``: the signed-in user, their standing and their admin access
in one query — and otherwise exactly what Django's ``ModelBackend`` answers."""

from __future__ import annotations

import pytest
from django.contrib.auth import backends
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.core.test_policy import _fields, _orm_standing
from wagtail_pledges.auth import ModelBackend, read_user
from wagtail_pledges.models import OrganisationRole
from wagtail_pledges.policy import forget_standing, get_policy
from wagtail_pledges.templatetags.pledges_userbar import may_access_admin

pytestmark = pytest.mark.django_db


def _people():
    access = Permission.objects.get(content_type__app_label="wagtailadmin",
                                    codename="access_admin")
    editors = Group.objects.create(name="Site editors")
    editors.permissions.add(access)
    direct = factories.UserFactory(verified=True)
    direct.user_permissions.add(access)
    grouped = factories.active_individual().user
    grouped.groups.add(editors)
    admin = factories.approved_plan().created_by
    OrganisationRole.objects.create(organisation=factories.OrganisationFactory(), user=admin,
                                    role=OrganisationRole.Role.STAFF)  # no membership
    factories.active_individual(user=admin)  # and their own membership
    return {
        "nobody": factories.UserFactory(verified=True),
        "member": factories.active_individual().user,
        "organisation admin with two roles": admin,
        "admin access, direct": direct,
        "admin access through a group, a member": grouped,
        "superuser": factories.UserFactory(verified=True, is_superuser=True),
    }


def test_the_same_user_standing_and_admin_answer_as_djangos_in_one_query(
        django_assert_num_queries):
    people = _people()
    for name, person in people.items():
        reference = backends.ModelBackend().get_user(person.pk)
        own, roles = _orm_standing(person)
        admin = reference.has_perm("wagtailadmin.access_admin")
        with django_assert_num_queries(1):
            user = ModelBackend().get_user(person.pk)
            standing = get_policy().standing(user)
            assert may_access_admin(user) is admin, name
            for role, membership in standing.organisations:  # in place: no query
                role.organisation.name  # noqa: B018
                if membership is not None:
                    membership.organisation.slug  # noqa: B018
        assert type(user) is type(reference)
        assert _fields(user) == _fields(reference), name
        assert _fields(standing.own) == _fields(own), name
        assert [(_fields(r), _fields(m)) for r, m in standing.organisations] == \
            [(_fields(r), _fields(m)) for r, m in roles], name
    assert len(get_policy().standing(
        ModelBackend().get_user(people["organisation admin with two roles"].pk)
    ).organisations) == 2


def test_the_async_path_reads_the_same_user_with_its_standing():
    from asgiref.sync import async_to_sync

    # Django's async get_user runs the read in the test's own thread and transaction.
    person = factories.active_individual().user
    user = async_to_sync(ModelBackend().aget_user)(person.pk)
    assert _fields(user) == _fields(person)
    assert get_policy().standing(user).own is not None
    inactive = factories.UserFactory(verified=True, is_active=False)
    assert async_to_sync(ModelBackend().aget_user)(inactive.pk) is None


def test_inactive_or_missing_users_are_not_signed_in():
    inactive = factories.UserFactory(verified=True, is_active=False)
    assert backends.ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(10**9) is None
    assert read_user(10**9) is None


def test_the_standing_is_read_again_once_forgotten(django_assert_num_queries):
    person = factories.UserFactory(verified=True)
    user = ModelBackend().get_user(person.pk)
    assert get_policy().standing(user).own is None
    factories.active_individual(user=person)
    forget_standing(user)  # what every journey does after a transition
    with django_assert_num_queries(1):
        assert get_policy().standing(user).own.user_id == person.pk


def test_a_signed_in_request_reads_its_user_once(client, settings):
    """Through Django's own ``get_user`` (session, hash check) and a page that asks the
    standing and the user bar: the user's table is read once, nothing else is."""
    person = factories.active_individual().user
    client.force_login(person)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.wsgi_request.user.pk == person.pk
    user_reads = [q["sql"] for q in queries if 'FROM "testapp_user"' in q["sql"]]
    assert len(user_reads) == 1, user_reads


def test_a_changed_password_still_signs_the_old_session_out(client):
    """Django verifies the session against the user this backend read: a session made
    before a password change is refused after it (a stolen cookie stops working)."""
    person = factories.UserFactory(verified=True)
    client.force_login(person)
    assert client.get("/").wsgi_request.user.is_authenticated
    person.set_password("a-new-secret-4821")
    person.save()
    assert not client.get("/").wsgi_request.user.is_authenticated
