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


class PledgeActionForm(forms.ModelForm):
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


class OrganisationForm(forms.ModelForm):
    """An organisation's public profile."""

    website = forms.URLField(label=_("website"), required=False, assume_scheme="https",
                             max_length=200)

    class Meta:
        model = Organisation
        fields = ["name", "sector", "region", "country", "website", "size_band"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].required = True
        self.fields["sector"].queryset = Sector.objects.all()
        self.fields["region"].required = True
        self.fields["country"].required = True
        self.fields["website"].help_text = _("For example https://www.example.org")

    def organisation_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PlanForm(forms.ModelForm):
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


class PriorityForm(forms.ModelForm):
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


class SignoffForm(forms.ModelForm):
    """The named senior leader who approved the plan."""

    class Meta:
        model = ActionPlan
        fields = ["signoff_name", "signoff_role", "signoff_confirmed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True


class ProgressUpdateForm(forms.Form):
    body = forms.CharField(
        label=_("How is it going?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with your pledge or plan."),
    )


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.Role.choices,
                             initial=OrganisationRole.Role.STAFF)


class SetRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationRole.Role.choices)


class DirectoryFilterForm(forms.Form):
    """Query-string filters of the published plans directory. Unknown values are errors."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), to_field_name="slug",
        required=False, empty_label=_("Any sector"),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    strategy = forms.ModelChoiceField(
        label=_("Strategy"), queryset=Strategy.objects.all(), to_field_name="slug",
        required=False, empty_label=_("Any strategy"),
    )
    practice = forms.ModelChoiceField(
        label=_("Restrictive practice"), queryset=RestrictivePractice.objects.all(),
        to_field_name="slug", required=False, empty_label=_("Any practice"),
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Any region"))] + [(r, r) for r in regions]

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if "\x00" in value:
            raise ValidationError(_("Search text cannot contain that character."))
        return value


class RequestClaimLinkForm(forms.Form):
    """"Signed the original pledge? Enter your email" — for a new claim link."""

    email = forms.EmailField(
        label=_("Email address"), max_length=254,
        help_text=_("The address you signed the original pledge with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
