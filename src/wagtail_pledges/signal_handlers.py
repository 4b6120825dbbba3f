"""Receivers wiring Wagtail's own signals to the lifecycle (no rules live here).

Reviewers may use Wagtail's moderation machinery (a workflow on the ``ActionPlan``
and ``Pledge`` snippets: "Approve", "Request changes") instead of our review
views. Whatever they click, the membership status moves only through
:mod:`wagtail_pledges.lifecycle`, whose functions are idempotent, so a decision
that reaches us twice (our view *and* Wagtail's signal) is applied once.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    workflow_approved,
    workflow_rejected,
)

from . import counts, lifecycle
from .models import (
    ActionPlan,
    Location,
    Membership,
    Organisation,
    Pledge,
    Priority,
    ProgressUpdate,
    RestrictivePractice,
    ReviewStatus,
    Sector,
    Strategy,
)
from .policy import get_policy
from .term_cache import TERM_MODELS
from .versioned_cache import page_cache

COMMITMENT_MODELS = (ActionPlan, Pledge)


def _commitment_of(workflow_state):
    instance = workflow_state.content_object
    return instance if isinstance(instance, COMMITMENT_MODELS) else None


@receiver(workflow_approved)
def approve_on_workflow_approved(sender, instance, user=None, **kwargs):
    """The last task of the review workflow was approved: the commitment is approved."""
    commitment = _commitment_of(instance)
    if commitment is not None:
        lifecycle.approve(commitment, user)


@receiver(workflow_rejected)
def request_changes_on_workflow_rejected(sender, instance, user=None, **kwargs):
    """A reviewer chose Wagtail's "Request changes": the member is asked for edits."""
    commitment = _commitment_of(instance)
    if commitment is None:
        return
    task_state = instance.current_task_state
    comment = (task_state.comment if task_state else "") or _(
        "The reviewers asked for changes. Please review your submission and resubmit it."
    )
    lifecycle.request_changes(commitment, user, comment)


@receiver(published)
def approve_on_publish(sender, instance, revision=None, user=None, **kwargs):
    """A reviewer published a submitted commitment directly: that is an approval.

    Only a user the policy allows to review counts; anything else (publishing a
    draft, or publishing by an editor who is not a reviewer) leaves the review
    status alone.
    """
    if not isinstance(instance, COMMITMENT_MODELS):
        return
    if instance.review_status != ReviewStatus.SUBMITTED:
        return
    if user is None or not get_policy().can_review(user):
        return
    lifecycle.approve(instance, user)


# -- directory cache -------------------------------------------------------------------

def _bump_directory(sender, **kwargs):
    counts.bump_directory_version()


def _bump_directory_on_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        counts.bump_directory_version()


# Everything the public plans directory and the API's plan list show (a location's
# names are in the API's pages and the directory's filter). A bump is one UPDATE; the next
# directory view then renders afresh.
for _model in (ActionPlan, Priority, ProgressUpdate, Organisation, Sector, Strategy,
               RestrictivePractice, Location):
    post_save.connect(_bump_directory, sender=_model, dispatch_uid=f"pledges-dir-{_model}")
    post_delete.connect(_bump_directory, sender=_model, dispatch_uid=f"pledges-dird-{_model}")
m2m_changed.connect(_bump_directory_on_m2m, sender=ActionPlan.practices.through,
                    dispatch_uid="pledges-dir-practices")


# -- the page cache: sites, menus, view restrictions (wagtail_pledges.versioned_cache) --
# Cached for every process; anything that changes what it holds bumps its version (at
# once and again on commit), so no one is shown a stale private page or menu.

def _bump_pages_on_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        page_cache.bump()


def _bump_pages_on_page_save(sender, instance, **kwargs):
    # Saving any page (publishing one, a title, "show in menus") may change a menu or a
    # site's root page. A page type's save is sent with the type as sender, hence no
    # sender here.
    if isinstance(instance, Page):
        page_cache.bump()


# The taxonomies are kept there too (term_cache): a member's form and the API find
# the term they name without a query.
for _model in (PageViewRestriction, Group, Site, *TERM_MODELS):
    post_save.connect(page_cache.bump, sender=_model,
                      dispatch_uid=f"pledges-pages-{_model.__name__}")
    post_delete.connect(page_cache.bump, sender=_model,
                        dispatch_uid=f"pledges-pagesd-{_model.__name__}")
m2m_changed.connect(_bump_pages_on_m2m, sender=PageViewRestriction.groups.through,
                    dispatch_uid="pledges-pages-restriction-groups")
post_save.connect(_bump_pages_on_page_save, dispatch_uid="pledges-pages-page-saved")
# Published/unpublished pages are saved too; a move changes the paths restrictions are
# cached with (and the journey pages' URLs); a deleted page's path can be given to a
# new page.
for _signal in (page_published, page_unpublished, post_page_move):
    _signal.connect(page_cache.bump, dispatch_uid=f"pledges-pages-{_signal}")
post_delete.connect(page_cache.bump, sender=Page, dispatch_uid="pledges-pages-page-deleted")


# -- counters when a membership row is deleted (e.g. its user was deleted) ------------

@receiver(post_delete, sender=Membership, dispatch_uid="pledges-membership-deleted")
def uncount_deleted_membership(sender, instance, **kwargs):
    """Deleting a user or organisation deletes its membership: keep the counts true."""
    counts.move_membership(instance.tier, instance.status, None)


@receiver(post_delete, sender=ActionPlan, dispatch_uid="pledges-plan-deleted")
def uncount_deleted_plan(sender, instance, **kwargs):
    if instance.live and instance.review_status == ReviewStatus.APPROVED:
        counts.add(counts.PLANS_PUBLISHED, -1)
