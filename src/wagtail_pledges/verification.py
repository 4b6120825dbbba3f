"""Public verification: "is this organisation a member?", for anyone who sees the logo.

One function, :func:`verify_organisation`, answers for the page
(``/pledges/verify/<slug>/``) and the API (``/api/pledges/v1/verify/<slug>/``), so
they cannot disagree. It returns organisation facts only — never a person.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .conf import pledges_settings
from .journey_urls import directory_page
from .models import ActionPlan, Membership, Organisation, ReviewStatus, Status
from .models import organisation_for_slug as find_organisation_by_slug
from .policy import get_policy

CURRENT = "current"
LEGACY_GRACE = "legacy_grace"
LAPSED = "lapsed"
STATES = (CURRENT, LEGACY_GRACE, LAPSED)

#: Seconds the page and the API answer may be cached. Short, because a stale
#: "current member" after a lapse is the one answer they must not give for long.
VERIFY_MAX_AGE = 300


@dataclass(frozen=True)
class Verification:
    """What the public may know about one organisation's membership."""

    name: str
    slug: str
    #: ``current``, ``legacy_grace`` (old pledge, before the deadline) or ``lapsed``.
    state: str
    tier: str
    #: First day of the unbroken run of commitment periods that reaches today.
    member_since: datetime.date | None = None
    #: Last day of the current period, or the legacy deadline during the grace period.
    valid_until: datetime.date | None = None
    #: Last day it held membership, once it has lapsed (or left).
    ended_on: datetime.date | None = None
    #: The published action plan (relative to the site, empty if none is published).
    plan_url: str = ""

    @property
    def is_member(self) -> bool:
        return self.state in (CURRENT, LEGACY_GRACE)


def organisation_for_slug(slug: str) -> Organisation:
    """The organisation with this slug, now or before a rename; 404 if none ever had it.

    An old slug answers for the organisation (the page then redirects to its current
    address: :attr:`Verification.slug` is always the current one).
    """
    organisation, _is_current = find_organisation_by_slug(
        slug, Organisation.objects.select_related("membership")
    )
    if organisation is None:
        raise Http404
    return organisation


def verify_organisation(slug: str, request=None) -> Verification:
    """The public answer for ``slug``; 404 for an unknown slug or an organisation that
    never became a member (a draft, a plan awaiting review, a declined application
    are not the public's business)."""
    organisation = organisation_for_slug(slug)
    membership: Membership | None = getattr(organisation, "membership", None)
    if membership is None:
        raise Http404
    common = {"name": organisation.name, "slug": organisation.slug, "tier": membership.tier}
    deadline = pledges_settings.legacy_deadline
    if get_policy().membership_grants_benefits(membership):
        if membership.status == Status.LEGACY:
            return Verification(state=LEGACY_GRACE, valid_until=deadline, **common)
        return Verification(
            state=CURRENT, member_since=_member_since(organisation),
            valid_until=membership.period_end,
            plan_url=published_plan_url(organisation, request), **common,
        )
    ended_on = _ended_on(membership, deadline)
    if ended_on is None:
        raise Http404
    return Verification(state=LAPSED, ended_on=ended_on, **common)


def _ended_on(membership: Membership, deadline) -> datetime.date | None:
    changed = timezone.localdate(membership.status_changed_at)
    if membership.status == Status.LEGACY:  # past the deadline, not yet marked lapsed
        return deadline
    if membership.period_end is not None:
        if membership.status == Status.WITHDRAWN:  # left before the period ran out
            return min(membership.period_end, changed)
        return membership.period_end
    if membership.status == Status.LAPSED:  # a legacy signatory who never moved
        return min(deadline, changed) if deadline else changed
    return None


def _member_since(organisation: Organisation) -> datetime.date | None:
    periods = list(
        ActionPlan.objects.filter(organisation=organisation, review_status=ReviewStatus.APPROVED,
                                  period_start__isnull=False)
        .order_by("-sequence").values_list("period_start", "period_end")
    )
    if not periods:
        return None
    since = periods[0][0]
    for start, end in periods[1:]:
        if end is None or end < since - datetime.timedelta(days=1):
            break  # a gap: it lapsed in between, so membership restarted at ``since``
        since = start
    return since


def published_plan_url(organisation: Organisation, request=None) -> str:
    """The organisation's page in the plans directory, if its plan is published there."""
    plan = ActionPlan.objects.published().filter(organisation=organisation).first()
    if plan is None:
        return ""
    index = directory_page()
    if index is None:
        return ""
    return index.specific.plan_detail_url(request, plan)


def badge_snippet(verify_url: str, organisation_name: str, site_name: str) -> str:
    """HTML an organisation pastes next to the logo on its website.

    Every value is escaped here; the template escapes the whole snippet again to show
    it as text in a ``<textarea>``.
    """
    return format_html(
        '<a href="{url}" rel="noopener" title="{title}">{label}</a>',
        url=verify_url,
        title=_("Check that %(name)s is a member of %(site)s")
        % {"name": organisation_name, "site": site_name},
        label=_("%(site)s member: verify") % {"site": site_name},
    )
