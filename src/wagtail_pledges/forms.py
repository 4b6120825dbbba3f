"""Member-facing forms. They validate input; services in :mod:`~wagtail_pledges.lifecycle`
and :mod:`~wagtail_pledges.organisations` decide what may happen.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.forms.models import construct_instance
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from .conf import pledges_settings
from .location_fields import LocationChoiceField
from .models import (
    ActionPlan,
    Organisation,
    OrganisationRole,
    Pledge,
    Priority,
    Sector,
    Strategy,
)
from .term_cache import term_by_pk


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


class TermChoiceField(forms.ModelChoiceField):
    """A taxonomy term chosen by its id (the commit step asks it on every submission),
    found in the page cache (:mod:`~wagtail_pledges.term_cache`) — no query once warm —
    or, for a taxonomy not kept there, by a query compiled once per connection. A
    queryset with filters of its own, a ``to_field_name`` other than the key, or an id
    that no integer key can hold is looked up as Django's own field does.

    Server code that has already read the term (the API's serializer, by slug) may
    pass the instance: a saved row of an unfiltered queryset is taken as it is, not
    read again. Submitted data are strings, so a client can never pass one."""

    def to_python(self, value):
        queryset = self.queryset
        model = queryset.model
        unfiltered = not queryset.query.has_filters()
        if isinstance(value, model) and unfiltered and value.pk is not None \
                and not value._state.adding and value._state.db == queryset.db:
            return value
        if (value in self.empty_values or not unfiltered
                or self.to_field_name not in (None, model._meta.pk.name)
                or isinstance(value, model)):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        try:
            key = model._meta.pk.to_python(value)
        except ValidationError:
            key = None
        if type(key) is not int or not -(2**31) < key < 2**31:
            return super().to_python(value)
        found = term_by_pk(model, key, queryset.db)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return found


class PledgeActionForm(PlainLabelsMixin, forms.ModelForm):
    """The one action an individual commits to."""

    class Meta:
        model = Pledge
        fields = ["action", "strategy", "target_date", "practices"]
        field_classes = {"strategy": TermChoiceField}
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
        self.fields["practices"].help_text = _("Optional: the practices your action reduces.")

    def _get_validation_exclusions(self):
        # The strategy field's queryset has just found the strategy: the model's own
        # foreign-key check would only ask the database the same question again.
        exclude = super()._get_validation_exclusions()
        exclude.add("strategy")
        return exclude

    def _post_clean(self):
        # Django now runs the model's own validation (``full_clean``, unique checks,
        # constraints). For these four fields it has nothing to add: the model gives
        # them no validators and no ``clean()`` (a test keeps it so), and every
        # constraint names the membership, not a field here, so Django skips them all —
        # yet it cost more than the rest of the form on every submission. The
        # lifecycle checks the pledge under its row lock, the database its
        # constraints. A subclass with other fields is validated as Django does.
        if tuple(self._meta.fields) != tuple(PledgeActionForm._meta.fields) \
                or self._meta.exclude:
            super()._post_clean()
            return
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
        except ValidationError as exc:
            self._update_errors(exc)

    def edits(self) -> dict:
        """What was typed (a valid form's fields, practices included), for
        :func:`wagtail_pledges.lifecycle.submit_pledge` to write with the submission —
        or as the draft when submitting is refused — under its row lock."""
        return {name: self.cleaned_data[name] for name in self._meta.fields
                if name in self.cleaned_data}


def save_if_editable(form):
    """Save a member's edits to a pledge or plan only while it is theirs to edit.

    Locks the row first and writes only the form's own fields (call inside a
    transaction), so a request that lands after the same commitment was submitted —
    a double click, a second tab, a replayed POST — can neither reset its review
    status to draft (which would submit it, and email, again) nor change what was
    submitted. Returns the saved instance, or None when it is no longer editable.
    """
    instance = form.instance
    # Only what the check needs: the row lock is the point, not its other columns.
    locked = (type(instance).objects.select_for_update().filter(pk=instance.pk)
              .only("pk", "review_status").first())
    if locked is None or not locked.is_editable_by_member:
        return None
    saved = form.save(commit=False)
    # Parental many-to-many fields (practices) are set in memory here and written
    # by the ClusterableModel's save() below, with the row.
    form.save_m2m()
    saved.save(update_fields=list(form.Meta.fields))
    return saved


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

    def clean_timescale_months(self):
        # Checked here, where it is typed, and again by lifecycle.plan_errors at
        # submission (a setting may have changed in between).
        value = self.cleaned_data["timescale_months"]
        months = pledges_settings.COMMITMENT_PERIOD_MONTHS
        if value is not None and value > months:
            raise ValidationError(
                _("The timescale must be %(months)s months or less (the commitment period).")
                % {"months": months}
            )
        return value

class BasePriorityFormSet(BaseInlineFormSet):
    """A plan's priorities. ``validate=False`` shows the posted rows again, unchecked."""

    default_error_messages = {
        "too_few_forms": _("Add at least %(num)d priorities."),
        "too_many_forms": _("A plan has at most %(num)d priorities."),
    }

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
        without JavaScript. Returns ``(formset, refusal)``: ``refusal`` is a message
        (and no row is added) when the plan already has as many rows as it may."""
        data = data.copy()
        refusal = add_priority_row(data, prefix)
        return cls(data, prefix=prefix, validate=False, **kwargs), refusal

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


class PriorityFormSet(inlineformset_factory(
    ActionPlan, Priority, form=PriorityForm, formset=BasePriorityFormSet, extra=0,
    can_delete=True, validate_min=True, validate_max=True,
)):
    """A plan's priorities: between ``PLAN_MIN_PRIORITIES`` and ``PLAN_MAX_PRIORITIES``.

    The bounds are read from settings on each use (properties, because
    ``formset_factory`` would freeze them at import). ``absolute_max`` caps how many
    forms Django will ever build, whatever ``TOTAL_FORMS`` a client sends; views
    refuse such a request first with :func:`priority_count_error`.
    """

    min_num = property(lambda self: pledges_settings.PLAN_MIN_PRIORITIES)
    max_num = property(lambda self: pledges_settings.PLAN_MAX_PRIORITIES)
    absolute_max = property(lambda self: priority_forms_limit())


def priority_forms_limit() -> int:
    """The most priority rows a request may carry: the maximum plus room for rows being
    deleted in the same save. More than this is a tampered form, not a plan."""
    return 2 * pledges_settings.PLAN_MAX_PRIORITIES


def priority_count_error(data, prefix: str) -> str | None:
    """Why a posted ``<prefix>-TOTAL_FORMS`` cannot be used, or None.

    Checked before any form is built, so ``TOTAL_FORMS=999999`` is refused at once.
    """
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", "0"))
    except (TypeError, ValueError):
        return _("The form was incomplete. Reload the page and try again.")
    if not 0 <= total <= priority_forms_limit():
        return _("A plan has at most %(num)d priorities. Reload the page and try again.") % {
            "num": pledges_settings.PLAN_MAX_PRIORITIES}
    return None


def add_priority_row(data, prefix: str) -> str | None:
    """Add one empty row to posted priorities (``data`` is a mutable copy of POST).

    Returns a message instead when the plan already has as many rows as it may.
    """
    total = int(data.get(f"{prefix}-TOTAL_FORMS", "0"))
    deleted = sum(1 for n in range(total) if data.get(f"{prefix}-{n}-DELETE"))
    if total - deleted >= pledges_settings.PLAN_MAX_PRIORITIES or total >= priority_forms_limit():
        return _("A plan has at most %(num)d priorities.") % {
            "num": pledges_settings.PLAN_MAX_PRIORITIES}
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return None


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
    """A progress update. ``once`` is a fresh key per rendered form (see
    :attr:`~wagtail_pledges.models.ProgressUpdate.submission_key`)."""

    once = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput,
                            initial=lambda: uuid.uuid4().hex,
                            error_messages={"required": _("Reload the page and try again."),
                                            "invalid": _("Reload the page and try again.")})
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
