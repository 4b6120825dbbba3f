"""Who may see which private page or collection — Wagtail privacy, decided by the policy.

Wagtail restricts a page (and its subtree) or a collection with a view restriction:
"logged-in users", "users in these groups" or "a shared password". The package keeps
the *Members*, *Individual members* and *Organisation members* groups in step with the
policy (:mod:`wagtail_pledges.groups`), but a group is only as fresh as the last
transition: a legacy member stays in *Members* after the legacy deadline until the
daily job lapses them. So here, membership of a managed group is read from the policy
*now*, and every other group from the database. Everything that lists pages or files
(search, menus, sitemap, resource index, Wagtail's API) filters through this module,
and page serving refuses with it, so the rule is the same everywhere.

Cost: the page view restrictions (with their groups and page paths) are read once and
kept in the cache (:data:`~wagtail_pledges.versioned_cache.page_cache`, bumped whenever
a restriction, its groups, a group or a page changes), so the serve hook, the menu and
listings share them and a public page costs an anonymous visitor no query of ours.
The viewer's standing is read once, only when a group restriction must be judged (their
other groups only for a group the package does not manage); a listing then adds one
``path`` prefix exclusion.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import SimpleTemplateResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.defaults import permission_denied
from wagtail.models import (
    BaseViewRestriction,
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    Site,
)

from .conf import pledges_settings
from .groups import GROUP_KEYS, group_keys_for
from .versioned_cache import page_cache

# Set on the request when something on it showed members-only content (or refused
# it): the response then differs per viewer and must never sit in a shared cache.
GATED_ATTR = "_wagtail_pledges_gated"
_RESTRICTIONS_ATTR = "_wagtail_pledges_page_restrictions"


@dataclass(frozen=True)
class _Restriction:
    pk: int
    kind: str
    path: str
    group_ids: frozenset[int]


def _viewer(request_or_user):
    """``(request or None, user)`` from either."""
    if hasattr(request_or_user, "session") or hasattr(request_or_user, "META"):
        return request_or_user, getattr(request_or_user, "user", None)
    return None, request_or_user


def _restrictions(model, tree_field: str, paths: Iterable[str] | None = None):
    """Every restriction of ``model`` (or those on ``paths``) with its groups: one query."""
    rows = model.objects.order_by()
    if paths is not None:
        rows = rows.filter(**{f"{tree_field}__path__in": list(paths)})
    found: dict[int, tuple[str, str, set[int]]] = {}
    for pk, kind, path, group_id in rows.values_list(
        "pk", "restriction_type", f"{tree_field}__path", "groups__pk"
    ):
        entry = found.setdefault(pk, (kind, path, set()))
        if group_id is not None:
            entry[2].add(group_id)
    return [_Restriction(pk, kind, path, frozenset(groups))
            for pk, (kind, path, groups) in found.items()]


def page_restrictions(request=None) -> tuple[_Restriction, ...]:
    """Every page view restriction, from the cache (read once per request)."""
    found = getattr(request, _RESTRICTIONS_ATTR, None)
    if found is None:
        found = page_cache.get(
            "restrictions", lambda: tuple(_restrictions(PageViewRestriction, "page")),
            request)
        if request is not None:
            setattr(request, _RESTRICTIONS_ATTR, found)
    return found


def _managed_group_ids() -> dict[str, int]:
    """Managed group key → group id, from the cache (bumped when any group is saved or
    deleted, as it is for restrictions)."""
    names = {pledges_settings.group_name(key): key for key in GROUP_KEYS}

    def read():
        return tuple((names[name], pk) for name, pk in
                     Group.objects.filter(name__in=names).values_list("name", "pk"))

    named = hashlib.sha256("|".join(sorted(names)).encode()).hexdigest()[:16]
    return dict(page_cache.get(f"managed_groups:{named}", read))


def effective_group_ids(user) -> frozenset[int]:
    """The user's groups, with the managed groups as the policy says *now*.

    Files (:mod:`wagtail_pledges.files.access`) and pages ask this one function.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    managed = _managed_group_ids()
    wanted = group_keys_for(user)
    own = set(user.groups.values_list("pk", flat=True)) - set(managed.values())
    return frozenset(own | {managed[key] for key in wanted if key in managed})


class _Judge:
    """Answers "does this viewer pass this restriction?", reading what it needs once.

    A managed group (*Members*, …) is judged by the policy's standing; the viewer's
    other groups are read only when a restriction names a group that is not managed.
    """

    def __init__(self, request_or_user):
        self.request, self.user = _viewer(request_or_user)
        self.authenticated = bool(getattr(self.user, "is_authenticated", False))
        self._managed: frozenset[int] | None = None
        self._wanted: frozenset[int] = frozenset()
        self._own: frozenset[int] | None = None

    def passes(self, restriction: _Restriction, passed_key: str) -> bool:
        if restriction.kind == BaseViewRestriction.PASSWORD:
            # Only a request can carry an unlocked password; a bare user never does.
            session = getattr(self.request, "session", None)
            return session is not None and restriction.pk in session.get(passed_key, [])
        if not self.authenticated:
            return False
        if restriction.kind == BaseViewRestriction.LOGIN:
            return True
        if self.user.is_superuser:  # as Wagtail's own check
            return True
        if self._managed is None:
            managed = _managed_group_ids()
            self._managed = frozenset(managed.values())
            self._wanted = frozenset(managed[key] for key in group_keys_for(self.user)
                                     if key in managed)
        if self._wanted & restriction.group_ids:
            return True
        others = restriction.group_ids - self._managed
        if not others:
            return False
        if self._own is None:
            self._own = frozenset(self.user.groups.values_list("pk", flat=True)) - self._managed
        return bool(self._own & others)


def _refused_paths(model, tree_field, request_or_user, paths=None) -> list[str]:
    judge = _Judge(request_or_user)
    key = model.passed_view_restrictions_session_key
    refused, passed = [], False
    restrictions = (page_restrictions(judge.request) if model is PageViewRestriction
                    else _restrictions(model, tree_field, paths))
    for restriction in restrictions:
        if judge.passes(restriction, key):
            passed = True
        else:
            refused.append(restriction.path)
    if passed:
        # Whatever lists these may now show something private: for this viewer only.
        mark_gated(judge.request)
    return refused


def _under_any(paths: Iterable[str]) -> Q:
    return functools.reduce(operator.or_, (Q(path__startswith=p) for p in paths), Q(pk__in=[]))


def hidden_page_paths(request_or_user) -> list[str]:
    """Tree paths of restricted pages this viewer does not pass (cached per request)."""
    request, _user = _viewer(request_or_user)
    cached = getattr(request, "_wagtail_pledges_hidden_pages", None)
    if cached is not None:
        return cached
    paths = _refused_paths(PageViewRestriction, "page", request_or_user)
    if request is not None:
        request._wagtail_pledges_hidden_pages = paths
    return paths


def visible_pages(queryset, request_or_user):
    """``queryset`` without the private pages (and their subtrees) the viewer may not see.

    Pass the request where there is one, so an unlocked shared password counts; a bare
    user never passes a password restriction.
    """
    hidden = hidden_page_paths(request_or_user)
    return queryset.exclude(_under_any(hidden)) if hidden else queryset


def hidden_collection_ids(request_or_user) -> set[int]:
    """Collections (and their sub-collections) whose files this viewer may not see."""
    paths = _refused_paths(CollectionViewRestriction, "collection", request_or_user)
    if not paths:
        return set()
    return set(Collection.objects.filter(_under_any(paths)).values_list("pk", flat=True))


def collection_is_restricted(collection) -> bool:
    """Whether any view restriction covers ``collection`` (on it or an ancestor)."""
    ancestors = _ancestor_paths(collection.path, Collection.steplen)
    return CollectionViewRestriction.objects.filter(collection__path__in=ancestors).exists()


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def page_refusals(page, request) -> list[str]:
    """Kinds of the restrictions on ``page`` (or its ancestors) this request does not pass."""
    judge = _Judge(request)
    key = PageViewRestriction.passed_view_restrictions_session_key
    ancestors = set(_ancestor_paths(page.path, Page.steplen))
    restrictions = [r for r in page_restrictions(request) if r.path in ancestors]
    if restrictions:
        mark_gated(request)
    return [r.kind for r in restrictions if not judge.passes(r, key)]


# -- serving ----------------------------------------------------------------------------


def mark_gated(request) -> None:
    """Note that this response depends on who is asking (see :func:`keep_private`)."""
    if request is not None:
        setattr(request, GATED_ATTR, True)


def keep_private(response):
    """``Cache-Control: private, no-store`` and ``Vary: Cookie``: for one viewer only."""
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response


def refuse_hidden_page(page, request, serve_args=None, serve_kwargs=None):
    """Refuse a private page to a viewer the policy refuses (a ``before_serve_page`` hook).

    Someone signed out is sent to log in, as Wagtail does. Someone signed in whom the
    policy refuses gets the site's 403 page — Wagtail would send them to log in again,
    which loops on sites (like allauth's) that send a signed-in visitor straight back.
    Neither response names the page. A shared password is left to Wagtail's own form.
    """
    refused = [kind for kind in page_refusals(page, request)
               if kind != BaseViewRestriction.PASSWORD]
    if not refused:
        return None
    if getattr(request.user, "is_authenticated", False):
        response = permission_denied(request, PermissionDenied())
    else:
        # Wagtail's own login redirect, so WAGTAIL_FRONTEND_LOGIN_URL is honoured. Its
        # hooks module loads models at import, and this module is imported while
        # models load (blocks use it), so it is imported here, when a page is served.
        from wagtail.wagtail_hooks import require_wagtail_login

        response = require_wagtail_login(next=request.get_full_path())
    return keep_private(response)


def private_when_gated(callback):
    """Wrap page serving (an ``on_serve_page`` hook): gated responses stay private.

    A page is gated when it is private, rendered members-only content, or listed a
    private page the viewer may see (a member's menu); the latter two are only known
    once its template has rendered, hence the post-render check.
    """

    def serve(page, request, serve_args, serve_kwargs):
        return private_if_gated(request, callback(page, request, serve_args, serve_kwargs))

    return serve


def private_if_gated(request, response):
    """Make ``response`` private if anything it showed was gated (see :func:`mark_gated`).

    Works on a template response not yet rendered (the check runs after rendering), so
    a site's own views can wrap their responses too.
    """

    def apply(rendered):
        if getattr(request, GATED_ATTR, False):
            keep_private(rendered)
        return rendered

    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(apply)
        return response
    return apply(response)


# -- listing ----------------------------------------------------------------------------


def search_pages(request, query: str, queryset=None):
    """Site search for a site's own search view: live pages of the request's site that
    the viewer may see, matching ``query`` (Wagtail search results)."""
    if queryset is None:
        queryset = Page.objects.live()
    site = Site.find_for_request(request)
    if site is not None:
        queryset = queryset.descendant_of(site.root_page, inclusive=True)
    return visible_pages(queryset, request).search(query)


def menu_pages(parent, request):
    """``parent``'s live, in-menu children the viewer may see, in tree order."""
    return visible_pages(parent.get_children().live().in_menu(), request).order_by("path")


@dataclass(frozen=True)
class MenuItem:
    """A page as a menu shows it: no page object, so it can be cached."""

    pk: int
    title: str
    path: str
    url: str
    search_description: str


def _menu(parent, request) -> tuple[MenuItem, ...]:
    """``parent``'s live in-menu children for everyone, cached per site and parent."""

    def read():
        children = parent.get_children().live().in_menu().order_by("path").specific()
        return tuple(MenuItem(page.pk, page.title, page.path, page.get_url(request) or "",
                              page.search_description) for page in children)

    memo = request.__dict__.setdefault("_wagtail_pledges_menus", {})
    if parent.pk not in memo:
        site = Site.find_for_request(request)
        memo[parent.pk] = page_cache.get(f"menu:{getattr(site, 'pk', '')}:{parent.pk}", read,
                                         request)
    return memo[parent.pk]


def _outside(items, paths) -> list[MenuItem]:
    paths = tuple(paths)
    return [item for item in items if not item.path.startswith(paths)] if paths \
        else list(items)


def menu_items(parent, request) -> list[MenuItem]:
    """:func:`menu_pages` from the cache: the in-menu children this viewer may see.

    The list of children is cached per site (made stale by any page saved, published,
    moved or deleted); the viewer's filter is applied on every call, and a member shown
    a private item gets a private response (:func:`mark_gated`).
    """
    return _outside(_menu(parent, request), hidden_page_paths(request))


def public_menu_items(parent, request) -> list[MenuItem]:
    """The in-menu children no view restriction covers (Wagtail's ``public()``): the
    same list for everyone, from the cache."""
    return _outside(_menu(parent, request), (r.path for r in page_restrictions(request)))


def resources_for(index_page, request):
    """What a resource index lists for this viewer.

    Public resources (a teaser page is public: an editor chose to show its title and
    teaser) for everyone, plus the private resources the viewer's benefits open.
    """
    return visible_pages(index_page.get_children().live(), request).specific().order_by("path")
