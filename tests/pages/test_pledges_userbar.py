"""``{% pledges_userbar %}`` shows Wagtail's user bar to exactly whom Wagtail shows it,
asking with one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from tests import factories
from wagtail_pledges.templatetags.pledges_userbar import may_access_admin

TEMPLATE = Template("{% load pledges_userbar %}{% pledges_userbar %}")


def _access_admin():
    return Permission.objects.get(content_type__app_label="wagtailadmin",
                                  codename="access_admin")


def _users():
    editors = Group.objects.create(name="Site editors")
    editors.permissions.add(_access_admin())
    direct = factories.UserFactory(verified=True)
    direct.user_permissions.add(_access_admin())
    grouped = factories.UserFactory(verified=True)
    grouped.groups.add(editors)
    inactive = factories.UserFactory(verified=True, is_active=False)
    inactive.groups.add(editors)
    return {
        "anonymous": AnonymousUser(),
        "member": factories.active_individual().user,
        "direct": direct,
        "through a group": grouped,
        "inactive editor": inactive,
        "superuser": factories.UserFactory(verified=True, is_superuser=True),
    }


def _fresh(user):
    """A new object for ``user``, lazy as ``request.user`` is."""
    if not user.pk:
        return user
    return SimpleLazyObject(lambda: type(user).objects.get(pk=user.pk))


@pytest.mark.django_db
def test_same_answer_as_has_perm_in_one_query(django_assert_max_num_queries):
    users = _users()
    for name, user in users.items():
        expected = _fresh(user).has_perm("wagtailadmin.access_admin")
        user = _fresh(user)
        user.is_active  # noqa: B018 — loaded, as the session middleware has by now
        with django_assert_max_num_queries(1):
            assert may_access_admin(user) is expected, name
    assert {n for n, u in users.items() if may_access_admin(_fresh(u))} == {
        "direct", "through a group", "superuser"}


@pytest.mark.django_db
def test_other_backends_are_asked_as_wagtail_asks(settings, monkeypatch):
    settings.AUTHENTICATION_BACKENDS = ["tests.pages.test_pledges_userbar.EveryoneMayEdit"]
    member = factories.active_individual().user
    assert may_access_admin(member) is True


class EveryoneMayEdit:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        return perm == "wagtailadmin.access_admin"


@pytest.mark.django_db
def test_tag_renders_wagtails_bar_only_for_editors(home):
    users = _users()
    for name, user in users.items():
        request = RequestFactory().get("/")
        request.user = _fresh(user)
        html = TEMPLATE.render(Context({"request": request, "page": home}))
        if name in ("direct", "through a group", "superuser"):
            assert "wagtail-userbar" in html, name
        else:
            assert html.strip() == "", name
    assert TEMPLATE.render(Context({})).strip() == ""
