"""The location select used by the organisation form and the directory's filter."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Location


class LocationChoiceField(forms.ModelChoiceField):
    """Places grouped under their country, countries first in each group."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Location.objects.with_country())
        super().__init__(**kwargs)

    def label_from_instance(self, obj) -> str:
        return obj.name if obj.parent_id is None else f"{obj.name}, {obj.parent.name}"

    def group_choices(self, empty_label: str, locations=None) -> None:
        """Offer the queryset's locations grouped by country (one query), after
        ``empty_label``; validation then needs no further query. ``locations``: the
        queryset's rows, already read (with their countries)."""
        self.choices = [("", empty_label)] + self._grouped_choices(
            self.queryset if locations is None else locations)

    def _grouped_choices(self, locations):
        groups: dict[int, list] = {}
        names: dict[int, str] = {}
        self._offered = {}
        for location in locations:
            self._offered[str(self.prepare_value(location))] = location
            country = location.parent or location
            names[country.pk] = country.name
            groups.setdefault(country.pk, [])
            entry = (self.prepare_value(location),
                     location.name if location.parent_id else
                     _("All of %(country)s") % {"country": location.name})
            if location.parent_id:
                groups[country.pk].append(entry)
            else:
                groups[country.pk].insert(0, entry)
        return [(names[pk], options) for pk, options in groups.items()]

    def to_python(self, value):
        # The offered locations are already loaded: no second query to validate.
        offered = getattr(self, "_offered", None)
        if offered is not None and value not in self.empty_values:
            if str(value) in offered:
                return offered[str(value)]
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

