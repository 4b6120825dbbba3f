"""Membership: one per member or organisation, its status, and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class Status(models.TextChoices):
    LEGACY = "legacy", _("Signed the original pledge")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACTIVE = "active", _("Active")
    RENEWAL_DUE = "renewal_due", _("Renewal due")
    LAPSED = "lapsed", _("Lapsed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MembershipQuerySet(models.QuerySet):
    def current(self) -> MembershipQuerySet:
        """Memberships inside a commitment period (active or renewal due)."""
        return self.filter(status__in=[Status.ACTIVE, Status.RENEWAL_DUE])


class Membership(models.Model):
    """The membership of one person (individual tier) or one organisation.

    There is exactly one row per member or organisation: its ``status`` is the
    present state, and its history is the :class:`LifecycleEvent` log plus one
    pledge or plan row per commitment period — nothing is overwritten. Only
    :mod:`wagtail_pledges.lifecycle` changes ``status``.
    """

    Tier = Tier
    Status = Status

    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pledges_membership",
    )
    organisation = models.OneToOneField(
        "wagtail_pledges.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="membership",
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    # Which reminders (days before period_end) were already sent for this period.
    reminders_sent = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-status_changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tier=Tier.INDIVIDUAL, user__isnull=False, organisation__isnull=True)
                    | Q(tier=Tier.ORGANISATION, user__isnull=True, organisation__isnull=False)
                ),
                name="pledges_membership_subject_matches_tier",
            ),
        ]
        indexes = [models.Index(fields=["status", "period_end"])]
        permissions = [
            ("review_membership", "Can approve, decline and request changes to pledges and plans"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"

    @property
    def subject(self):
        return self.organisation if self.tier == Tier.ORGANISATION else self.user

    @property
    def is_current(self) -> bool:
        return self.status in (Status.ACTIVE, Status.RENEWAL_DUE)


class LifecycleEvent(models.Model):
    """One line of a membership's history: who did what, when, and why."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lifecycle event")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '∅'} → {self.to_status or '∅'}"


class Counter(models.Model):
    """A named number kept up to date by lifecycle transitions.

    Page views read these rows instead of running ``COUNT(*)`` over members;
    ``pledges_recount`` rebuilds them from the source tables.
    """

    key = models.CharField(max_length=80, unique=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("counter")

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
