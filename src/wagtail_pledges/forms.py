"""Member-facing forms. They validate input; services in :mod:`~wagtail_pledges.lifecycle`
and :mod:`~wagtail_pledges.organisations` decide what may happen.
"""

from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from .location_fields import LocationChoiceField
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


class RedisplayMixin:
    """A bound form that can be shown again as typed, without validating it.

    Pass ``validate=False`` (e.g. after "add a priority", which is not a save): the
    fields keep what was typed, ``errors`` is empty and ``is_valid()`` is ``False``.
    """

    def __init__(self, *args, validate: bool = True, **kwargs):
        self.validate = validate
        super().__init__(*args, **kwargs)

    def full_clean(self):
        if self.validate:
            return super().full_clean()
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def is_valid(self) -> bool:
        return self.validate and super().is_valid()





class PlainLabelsMixin:
    """Labels as written: no colon after "Website" or "How is it going?"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


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
        self.fields["location"].group_choices(_("Choose a location"))
        self.fields["website"].help_text = _("For example https://www.example.org")

    def organisation_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PlanForm(PlainLabelsMixin, RedisplayMixin, forms.ModelForm):
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


class PriorityForm(PlainLabelsMixin, RedisplayMixin, forms.ModelForm):
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


class BasePriorityFormSet(BaseInlineFormSet):
    """A plan's priorities. ``validate=False`` shows the posted rows again, unchecked."""

    def __init__(self, *args, validate: bool = True, **kwargs):
        self.validate = validate
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "validate": self.validate}

    def full_clean(self):
        if self.validate:
            return super().full_clean()
        self._errors = []
        self._non_form_errors = self.error_class(error_class="nonform", renderer=self.renderer)

    @classmethod
    def with_extra_row(cls, data, *, prefix: str, **kwargs):
        """The posted rows again plus one empty row, not validated: "add a priority"
        without JavaScript. ``max_num`` still bounds the rows."""
        data = data.copy()
        total_key = f"{prefix}-TOTAL_FORMS"
        try:
            total = int(data.get(total_key, 0))
        except ValueError:
            total = 0
        data[total_key] = str(max(0, total) + 1)
        return cls(data, prefix=prefix, validate=False, **kwargs)

    def draft_priorities(self) -> dict:
        """What :func:`~wagtail_pledges.organisations.save_plan_draft` needs, after
        ``is_valid()``: the kept rows in order, and the saved rows marked for deletion."""
        deleted = self.deleted_forms
        kept = [form for form in self.forms if form not in deleted
                and (form.instance.pk or form.has_changed())]
        return {
            "priorities": [
                {**{name: form.cleaned_data[name] for name in PriorityForm.Meta.fields},
                 "id": form.instance.pk}
                for form in kept
            ],
            "delete": [form.instance.pk for form in deleted if form.instance.pk],
        }


PriorityFormSet = inlineformset_factory(
    ActionPlan, Priority, form=PriorityForm, formset=BasePriorityFormSet, extra=0,
    can_delete=True, min_num=0, max_num=30, validate_max=True,
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


class RequestClaimLinkForm(forms.Form):
    """"Signed the original pledge? Enter your email" — for a new claim link."""

    email = forms.EmailField(
        label=_("Email address"), max_length=254,
        help_text=_("The address you signed the original pledge with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
