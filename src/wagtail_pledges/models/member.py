"""What the package keeps about a person beyond the site's user model."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges_profile"
    )
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    sector = models.ForeignKey(
        "wagtail_pledges.Sector", null=True, blank=True, on_delete=models.SET_NULL
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member profile")

    def __str__(self) -> str:
        return str(self.user)


class ActionToken(models.Model):
    """A single-use, expiring secret sent by email. Only its SHA-256 is stored."""

    class Purpose(models.TextChoices):
        VERIFY_EMAIL = "verify_email", _("Confirm email address")
        STAFF_INVITE = "staff_invite", _("Join an organisation")
        LEGACY_CLAIM = "legacy_claim", _("Move from the original pledge")

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "wagtail_pledges.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    legacy_signatory = models.ForeignKey(
        "wagtail_pledges.LegacySignatory", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    # For staff invitations: the role the invitee will get.
    role = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("emailed link")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.email}"
