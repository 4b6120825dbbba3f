"""Editable taxonomies: strategies, restrictive practices, sectors.

Editors manage these as snippets; a data migration seeds the RRN defaults (the Six
Core Strategies, the practice types and the sectors), which any site may rename,
reorder or extend.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Term(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Strategy(Term):
    """A category of action, e.g. one of the Six Core Strategies."""

    class Meta(Term.Meta):
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")


class RestrictivePractice(Term):
    """A restrictive practice an action targets (physical, mechanical, chemical …)."""

    class Meta(Term.Meta):
        verbose_name = _("restrictive practice")
        verbose_name_plural = _("restrictive practices")


class Sector(Term):
    """Where a member works: health, education, social care, other."""

    class Meta(Term.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
