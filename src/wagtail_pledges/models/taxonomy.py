"""Editable taxonomies: strategies, restrictive practices, sectors, locations.

Editors manage these as snippets; a data migration seeds the RRN defaults (the Six
Core Strategies, the practice types and the sectors), which any site may rename,
reorder or extend.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
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


class LocationQuerySet(models.QuerySet):
    def countries(self):
        return self.filter(parent__isnull=True)

    def with_country(self):
        return self.select_related("parent")

    def in_use_by(self, plans):
        """Locations of these plans' organisations, and the countries they are in.

        Asked per location (a handful of rows) with ``EXISTS``: each stops at the
        first such plan, so the cost does not grow with the number of plans."""
        here = plans.filter(organisation__location=models.OuterRef("pk"))
        within = plans.filter(organisation__location__parent=models.OuterRef("pk"))
        return self.filter(models.Exists(here) | models.Exists(within))


class Location(Term):
    """Where an organisation is: a country, or a nation or region within one.

    Two levels only: countries have no parent; the UK's nations and England's regions
    have the country as parent. Editors may add places; a data migration seeds the UK
    and Ireland. A filter on a country matches everything within it.
    """

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("country"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
        limit_choices_to={"parent__isnull": True},
        help_text=_("Leave empty for a country."),
    )

    objects = LocationQuerySet.as_manager()

    class Meta(Term.Meta):
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="pledges_location_unique_name"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def country(self) -> Location:
        return self.parent if self.parent_id else self

    @property
    def label(self) -> str:
        """"Wales, United Kingdom" for a place within a country; the name for a country."""
        if self.parent_id:
            return f"{self.name}, {self.parent.name}"
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Choose a country (a location with no parent).")})
        if self.pk and self.parent_id and self.children.exists():
            raise ValidationError({"parent": _("A country with places in it cannot be moved.")})

    def places(self):
        """This location and every location within it (a filter value)."""
        return Location.objects.filter(models.Q(pk=self.pk) | models.Q(parent_id=self.pk))
