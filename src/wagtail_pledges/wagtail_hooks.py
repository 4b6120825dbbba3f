"""Registers the membership admin with Wagtail. No logic: see :mod:`wagtail_pledges.admin`."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .admin import logo_kit, permissions, registry, urls
from .admin.bulk_actions import BULK_ACTIONS
from .admin.menu import reports_menu_item
from .admin.panels import add_membership_panel
from .admin.viewsets import MembershipViewSetGroup, hide_lifecycle_actions
from .files.receivers import place_after_bulk_move
from .files.views import serve_restricted_document
from .models import ActionPlan, Membership, OutboxMessage, Pledge
from .visibility import private_when_gated, refuse_hidden_page

for _model in (Membership, OutboxMessage, *logo_kit.READ_ONLY_MODELS):
    register_permission_policy(_model, permissions.ReadOnlyPermissionPolicy(_model))
for _model in (ActionPlan, Pledge):
    register_permission_policy(_model, permissions.CommitmentPermissionPolicy(_model))


@hooks.register("register_admin_urls")
def register_pledges_admin_urls():
    return [path("membership/", include(urls, namespace="wagtail_pledges_admin"))]


hooks.register("register_admin_menu_item", reports_menu_item)
hooks.register("construct_homepage_panels", add_membership_panel)
# Before Wagtail's own collection check, so restricted documents get the policy's
# answer and private caching.
hooks.register("before_serve_document", serve_restricted_document, order=-100)
hooks.register("after_bulk_action", place_after_bulk_move)

# Private pages: the policy decides (see wagtail_pledges.visibility); gated responses
# are never cached for anyone else.
hooks.register("before_serve_page", refuse_hidden_page)
hooks.register("on_serve_page", private_when_gated)

# A site on wagtail-modeladmin gets its listings from wagtail_pledges.contrib.modeladmin
# instead: never two "Membership" menus.
if not registry.uses_modeladmin():
    register_snippet(MembershipViewSetGroup)
    hooks.register("construct_snippet_action_menu", hide_lifecycle_actions)
    for _action in BULK_ACTIONS:
        hooks.register("register_bulk_action", _action)
