"""The member logo kit: files and guidance editors upload, the terms an organisation
accepts once, and a log of every download.

The files are Wagtail documents. They must sit in a collection with a privacy
restriction (checked in :meth:`LogoKit.clean`), so Wagtail's own document URL refuses
them; members get them only through the policy-checked download view.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField
from wagtail.models import Orderable


class LogoKit(ClusterableModel):
    """What organisation members may download. A site has one (the first is used)."""

    title = models.CharField(_("title"), max_length=200, default=_("Member logo kit"))
    guidance = RichTextField(
        _("usage guidance"), blank=True,
        help_text=_("How and where members may show the logo."),
    )
    terms = RichTextField(
        _("terms of use"),
        help_text=_("An admin of each organisation accepts these once before downloading."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("guidance"),
        FieldPanel("terms"),
        InlinePanel("files", label=_("files"), min_num=1),
    ]

    class Meta:
        verbose_name = _("logo kit")
        verbose_name_plural = _("logo kits")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.title)


class LogoKitFile(Orderable):
    """One downloadable file of the kit (a logo variant, the guidance PDF, …)."""

    kit = ParentalKey(LogoKit, on_delete=models.CASCADE, related_name="files")
    label = models.CharField(_("label"), max_length=150,
                             help_text=_("e.g. “Logo, colour, PNG”."))
    document = models.ForeignKey(
        get_document_model_string(), verbose_name=_("file"), on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Upload it to a collection with privacy set (e.g. “Logo kit”, "
                    "private to editors): members download it through their dashboard."),
    )

    panels = [FieldPanel("label"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("logo kit file")
        verbose_name_plural = _("logo kit files")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        document = getattr(self, "document", None)
        if document is None:
            return
        # A document in a public collection is served to anyone by Wagtail's own
        # /documents/ view: the kit would leak past the policy and the download log.
        if not document.collection.get_view_restrictions().exists():
            raise ValidationError({"document": _(
                "This file is in the collection “%(collection)s”, which anyone can "
                "download from. Move it to a collection with privacy set."
            ) % {"collection": document.collection}})


class LogoTermsAcceptance(models.Model):
    """An organisation accepted the kit's terms: once per version of the terms, by
    whom, when, and the very text it accepted. When editors change the terms, an admin
    accepts them again before the next download; earlier acceptances stay on record."""

    organisation = models.ForeignKey(
        "wagtail_pledges.Organisation", on_delete=models.CASCADE,
        related_name="logo_terms_acceptances",
    )
    terms = models.TextField(_("terms accepted"), blank=True,
                             help_text=_("The terms as they read when accepted."))
    terms_digest = models.CharField(_("terms version"), max_length=64, blank=True,
                                    help_text=_("SHA-256 of the accepted terms."))
    # Kept (as null) if the person's account is erased: the organisation still agreed.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("logo terms acceptance")
        verbose_name_plural = _("logo terms acceptances")
        ordering = ["-accepted_at"]
        constraints = [models.UniqueConstraint(
            fields=["organisation", "terms_digest"], name="pledges_logo_terms_once_per_version")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.accepted_at:%Y-%m-%d})"


class LogoDownload(models.Model):
    """One download of one kit file, on behalf of one organisation."""

    organisation = models.ForeignKey(
        "wagtail_pledges.Organisation", on_delete=models.CASCADE,
        related_name="logo_downloads",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("downloaded by"),
    )
    document = models.ForeignKey(
        get_document_model_string(), null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("file"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("logo download")
        verbose_name_plural = _("logo downloads")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.document} ({self.at:%Y-%m-%d %H:%M})"
