"""Authentication backends that read a signed-in user in one query with what every
page of a membership site asks next.

On each request Django's ``AuthenticationMiddleware`` asks the session's backend for
the user (``ModelBackend.get_user``: one query). A page of this package then asks the
policy for the user's standing (their membership, roles and organisations: one more)
and ``{% pledges_userbar %}`` whether they may use the admin (one more). The backends
here read all three in **one** query, compiled to SQL once per database connection
(:class:`~wagtail_pledges.prepared.PreparedQuery`), and keep the standing and the
admin answer on the user object for that request only, as Django keeps a user's
permissions.

Nothing else changes: the same user row through the user model's default manager,
the same ``user_can_authenticate`` check (an inactive user is not signed in), the
same session verification by Django. Use :class:`ModelBackend` in place of Django's,
or put :class:`StandingUserMixin` in front of another ``ModelBackend`` subclass (the
example project does so for django-allauth's)::

    AUTHENTICATION_BACKENDS = ["wagtail_pledges.auth.ModelBackend"]

A session remembers the backend that signed its user in, by its dotted path: keep
the old path in ``AUTHENTICATION_BACKENDS`` until those sessions expire, or their
users are signed out.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth import backends, get_user_model
from django.db import router
from django.db.models import Exists, OuterRef

from .policy import remember_standing, standing_from_rows, standing_paths
from .prepared import PreparedQuery
from .templatetags.pledges_userbar import ADMIN_ACCESS_ATTR, admin_access_permissions
from .versioned_cache import field_names

_ADMIN = "pledges_may_use_admin"


def _user_rows(key):
    """The user's columns, their standing's and the admin answer: one row per role."""
    model = get_user_model()
    return (model._default_manager.filter(pk=key)
            .annotate(**{_ADMIN: Exists(admin_access_permissions(OuterRef("pk")))})
            .order_by("pledges_roles__pk")
            .values_list(*field_names(model), *standing_paths(), _ADMIN))


_user_query = PreparedQuery(_user_rows)


def read_user(user_id):
    """The user with primary key ``user_id`` (``None`` if there is none), its
    standing and admin answer already in place: one query."""
    model = get_user_model()
    using = router.db_for_read(model)
    rows = _user_query.rows(user_id, using)
    if not rows:
        return None
    names = field_names(model)
    user = model.from_db(using, names, rows[0][:len(names)])
    remember_standing(user, standing_from_rows(user, rows, len(names), using))
    setattr(user, ADMIN_ACCESS_ATTR, bool(rows[0][-1]))
    return user


class StandingUserMixin:
    """``get_user`` in one query (see the module's docstring); put it before a
    ``ModelBackend`` subclass in the bases."""

    def get_user(self, user_id):
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):  # Django's async get_user (ASGI) asks this
        return await sync_to_async(self.get_user)(user_id)


class ModelBackend(StandingUserMixin, backends.ModelBackend):
    """Django's ``ModelBackend``; ``get_user`` also reads the standing and admin answer."""
