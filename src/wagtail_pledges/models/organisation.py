"""Organisations, the people who run them, and who merely works there."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class Organisation(index.Indexed, models.Model):
    class SizeBand(models.TextChoices):
        MICRO = "micro", _("1–9 staff")
        SMALL = "small", _("10–49 staff")
        MEDIUM = "medium", _("50–249 staff")
        LARGE = "large", _("250–999 staff")
        VERY_LARGE = "very_large", _("1,000+ staff")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    sector = models.ForeignKey(
        "wagtail_pledges.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    size_band = models.CharField(
        _("size"), max_length=20, choices=SizeBand.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("region"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class OrganisationRole(models.Model):
    """A user's role in an organisation: admin (manages it) or staff."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        STAFF = "staff", _("Staff")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation role")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="pledges_one_role_per_user_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.organisation}"
