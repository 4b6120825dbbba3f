"""The original pledge's signatories, imported from a file, and the reminder waves sent
to them while they move to the new membership (see :mod:`wagtail_pledges.legacy`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class LegacySignatory(models.Model):
    """Someone who signed the original pledge, imported from a file."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ORGANISATION = "organisation", _("Organisation")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        "wagtail_pledges.Membership", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="legacy_signatories",
    )

    # Staff correct what was imported; invitations and claims (invited_at, claimed_at,
    # membership) are written by wagtail_pledges.legacy alone.
    panels = [FieldPanel("kind"), FieldPanel("name"), FieldPanel("email"),
              FieldPanel("organisation_name"), FieldPanel("signed_on")]

    class Meta:
        verbose_name = _("legacy signatory")
        verbose_name_plural = _("legacy signatories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "email", "organisation_name"], name="pledges_legacy_unique"
            )
        ]

    def __str__(self) -> str:
        return self.organisation_name or self.name

    def clean(self):
        # Stored as the importer stores it (claim links are looked up by the lowercased
        # address); cleaned before uniqueness is checked, so a corrected address that
        # matches another signatory's is a form error, not an IntegrityError.
        super().clean()
        self.email = (self.email or "").strip().lower()


class LegacyReminder(models.Model):
    """One reminder wave sent to one signatory, for one deadline.

    The unique constraint is the "once per person per wave" rule; keying on the
    deadline lets a new deadline start a new round of waves.
    """

    class Audience(models.TextChoices):
        UNCLAIMED = "unclaimed", _("Invited, not claimed")
        UNMOVED = "unmoved", _("Claimed, not moved")

    signatory = models.ForeignKey(LegacySignatory, on_delete=models.CASCADE,
                                  related_name="reminders")
    deadline = models.DateField(_("deadline"))
    wave = models.PositiveSmallIntegerField(_("days before the deadline"))
    audience = models.CharField(max_length=20, choices=Audience.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("legacy reminder")
        verbose_name_plural = _("legacy reminders")
        constraints = [
            models.UniqueConstraint(fields=["signatory", "deadline", "wave"],
                                    name="pledges_legacy_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.signatory} – {self.wave} days before {self.deadline}"
