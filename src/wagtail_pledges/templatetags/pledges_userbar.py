"""``{% pledges_userbar %}``: Wagtail's user bar, asked for with one query instead of two.

Wagtail's ``{% wagtailuserbar %}`` first asks ``user.has_perm("wagtailadmin.access_admin")``,
which loads every permission the user holds, directly and through groups (two queries),
on every page a signed-in member views — though most members never see the admin. This
tag answers that question with one short query (when every authentication backend
judges permissions as Django's ``ModelBackend`` does), and renders Wagtail's own user
bar only for someone who may use the admin::

    {% load pledges_userbar %}
    {% pledges_userbar %}          {# or {% pledges_userbar "top-left" %} #}

It is always fresh: nothing is cached.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils.module_loading import import_string
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from ..prepared import PreparedQuery

register = template.Library()

_PERMISSION_METHODS = ("has_perm", "get_all_permissions", "get_user_permissions",
                       "get_group_permissions", "_get_permissions", "user_can_authenticate")


def _judged_as_model_backend() -> bool:
    """Whether ``has_perm`` means "a permission row, direct or through a group" for
    every backend (Django's and allauth's do; an LDAP or object-permission one may not)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        backend = import_string(path)
        if not issubclass(backend, ModelBackend) or any(
                getattr(backend, name) is not getattr(ModelBackend, name)
                for name in _PERMISSION_METHODS):
            return False
    return True


def may_access_admin(user) -> bool:
    """``user.has_perm("wagtailadmin.access_admin")``, in one query at most."""
    if not getattr(user, "is_authenticated", False):
        return False
    model = user._meta.model  # request.user is a lazy object, not the model's instance
    if not (_judged_as_model_backend() and hasattr(model, "user_permissions")
            and hasattr(model, "groups")):
        return user.has_perm("wagtailadmin.access_admin")
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    known = getattr(user, ADMIN_ACCESS_ATTR, None)  # read with the user (wagtail_pledges.auth)
    if known is not None:
        return known
    return bool(_admin_access.rows(user.pk))


# Set on a user object by wagtail_pledges.auth's backends: whether a permission row
# grants admin access, read in the same query as the user (for this request only,
# as Django keeps a user's permissions on the object).
ADMIN_ACCESS_ATTR = "_wagtail_pledges_admin_access"


def admin_access_permissions(user):
    """Permission rows that let ``user`` (a key or an ``OuterRef``) use the admin,
    held directly or through a group."""
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user),
        content_type__app_label="wagtailadmin", codename="access_admin",
    )


def _access_rows(key):
    return admin_access_permissions(key).values_list("pk")[:1]


_admin_access = PreparedQuery(_access_rows)  # compiled once per connection


@register.simple_tag(takes_context=True)
def pledges_userbar(context, position: str = "bottom-right"):
    request = context.get("request")
    if request is None or not may_access_admin(getattr(request, "user", None)):
        return ""
    return wagtailuserbar(context, position)
