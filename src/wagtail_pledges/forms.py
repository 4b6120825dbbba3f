"""Member-facing forms. They validate input; services in :mod:`~wagtail_pledges.lifecycle`
and :mod:`~wagtail_pledges.organisations` decide what may happen.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionPlan,
    Location,
    Organisation,
    OrganisationRole,
    Pledge,
    Priority,
    RestrictivePractice,
    Sector,
    Strategy,
)


class DateInput(forms.DateInput):
    input_type = "date"


class PlainLabelsMixin:
    """Labels as written: no colon after "Website" or "How is it going?"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LocationChoiceField(forms.ModelChoiceField):
    """Places grouped under their country, countries first in each group."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Location.objects.with_country())
        super().__init__(**kwargs)

    def label_from_instance(self, obj) -> str:
        return obj.name if obj.parent_id is None else f"{obj.name}, {obj.parent.name}"

    def _grouped_choices(self):
        groups: dict[int, list] = {}
        names: dict[int, str] = {}
        self._offered = {}
        for location in self.queryset:
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


class PledgeActionForm(PlainLabelsMixin, forms.ModelForm):
    """The one action an individual commits to."""

    class Meta:
        model = Pledge
        fields = ["action", "strategy", "target_date", "practices"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 4}),
            "target_date": DateInput(),
            "practices": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].required = True
        self.fields["strategy"].required = True
        self.fields["strategy"].empty_label = _("Choose a strategy")
        self.fields["target_date"].required = True
        self.fields["target_date"].help_text = _(
            "A date within your two-year commitment period."
        )
        self.fields["practices"].queryset = RestrictivePractice.objects.all()
        self.fields["practices"].help_text = _("Optional: the practices your action reduces.")

    def save_draft(self) -> Pledge:
        """Save what was typed to the (editable) draft, practices included."""
        pledge = self.save(commit=False)
        # Practices are a ParentalManyToManyField: set them in memory, then the
        # ClusterableModel's save() writes them with the row.
        self.save_m2m()
        pledge.save()
        return pledge


class OrganisationForm(PlainLabelsMixin, forms.ModelForm):
    """An organisation's public profile."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https",
                             max_length=200)
    location = LocationChoiceField(
        label=_("Where you are"), empty_label=_("Choose a location"),
        help_text=_("The nation or region you mostly work in, or the whole country."),
    )

    class Meta:
        model = Organisation
        fields = ["name", "sector", "location", "website", "size_band"]
        labels = {"name": _("Organisation name"), "sector": _("Sector"),
                  "size_band": _("Size")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].required = True
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["sector"].empty_label = _("Choose a sector")
        self.fields["size_band"].choices = [("", _("Choose a size"))] + list(
            Organisation.SizeBand.choices
        )
        self.fields["location"].choices = [("", _("Choose a location"))] + \
            self.fields["location"]._grouped_choices()
        self.fields["website"].help_text = _("For example https://www.example.org")

    def organisation_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PlanForm(PlainLabelsMixin, forms.ModelForm):
    """The parts of an action plan that are not its priorities or sign-off."""

    class Meta:
        model = ActionPlan
        fields = ["public_summary", "practices"]
        widgets = {
            "public_summary": forms.Textarea(attrs={"rows": 5}),
            "practices": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practices"].queryset = RestrictivePractice.objects.all()
        self.fields["practices"].help_text = _("The practices your plan aims to reduce.")


class PriorityForm(PlainLabelsMixin, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["what", "strategy", "lead_role", "timescale_months", "success_measure"]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "success_measure": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = Strategy.objects.all()
        self.fields["strategy"].empty_label = _("Choose a strategy")


PriorityFormSet = inlineformset_factory(
    ActionPlan, Priority, form=PriorityForm, extra=0, can_delete=True,
    min_num=0, max_num=30, validate_max=True,
)


class SignoffForm(PlainLabelsMixin, forms.ModelForm):
    """The named senior leader who approved the plan."""

    class Meta:
        model = ActionPlan
        fields = ["signoff_name", "signoff_role", "signoff_confirmed"]
        labels = {"signoff_name": _("Name of the senior leader"),
                  "signoff_role": _("Their role"),
                  "signoff_confirmed": _("The named senior leader has approved this plan")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True


class ProgressUpdateForm(PlainLabelsMixin, forms.Form):
    body = forms.CharField(
        label=_("How is it going?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with your pledge or plan."),
    )


class InviteStaffForm(PlainLabelsMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.Role.choices,
                             initial=OrganisationRole.Role.STAFF)


class SetRoleForm(PlainLabelsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.Role.choices)


class DirectoryFilterForm(PlainLabelsMixin, forms.Form):
    """Query-string filters of the published plans directory. Unknown values are errors."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="slug",
        required=False, empty_label=_("Any sector"),
    )
    region = LocationChoiceField(
        label=_("Location"), to_field_name="slug", required=False,
        empty_label=_("Anywhere"),
    )
    strategy = forms.ModelChoiceField(
        label=_("Strategy"), queryset=Strategy.objects.all(), to_field_name="slug",
        required=False, empty_label=_("Any strategy"),
    )
    practice = forms.ModelChoiceField(
        label=_("Restrictive practice"), queryset=RestrictivePractice.objects.all(),
        to_field_name="slug", required=False, empty_label=_("Any practice"),
    )

    def __init__(self, *args, regions=None, **kwargs):
        """``regions``: the locations to offer (a queryset); any location if not given."""
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        if regions is not None:
            field.queryset = regions
        field.choices = [("", _("Anywhere"))] + field._grouped_choices()

    def clean_region(self):
        """A location matches the places within it too (a country, its regions)."""
        location = self.cleaned_data["region"]
        if location is None:
            return None
        # Ids from the locations already loaded for the choices: no query.
        offered = self.fields["region"]._offered.values()
        return [location.pk] + [o.pk for o in offered if o.parent_id == location.pk]

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if "\x00" in value:
            raise ValidationError(_("Search text cannot contain that character."))
        return value
