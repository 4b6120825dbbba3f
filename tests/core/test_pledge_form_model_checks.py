"""The commit form skips the model's own validation, which has nothing to add for its
fields — and these tests keep that true: if the model gains a validator, a ``clean()``
or a constraint on one of those fields, the first test fails."""

import datetime

import pytest
from django.db import models

from tests import factories
from wagtail_pledges.forms import PledgeActionForm
from wagtail_pledges.models import Pledge

pytestmark = pytest.mark.django_db


def test_the_model_adds_no_check_of_its_own_to_the_form_fields():
    for name in PledgeActionForm._meta.fields:
        field = Pledge._meta.get_field(name)
        assert not field.validators or name == "strategy", (name, field.validators)
        assert not field.unique, name
    # No clean() anywhere between Pledge and Django's Model.
    owners = [klass for klass in Pledge.__mro__ if "clean" in vars(klass)]
    assert owners == [models.Model], owners
    for constraint in Pledge._meta.constraints:  # each names the membership: skipped
        assert "membership" in constraint.fields, constraint.name
        assert not set(constraint.fields) - {"membership", "sequence"}, constraint.name


def form_data(**overrides):
    data = {"action": "Debrief after every incident",
            "strategy": factories.strategy("leadership").pk,
            "target_date": (datetime.date.today() + datetime.timedelta(days=90)).isoformat()}
    return {**data, **overrides}


def test_a_valid_form_fills_the_instance_without_the_models_checks(monkeypatch):
    pledge = factories.draft_pledge()

    def refuse(*args, **kwargs):
        raise AssertionError("the model's full_clean ran")

    monkeypatch.setattr(Pledge, "full_clean", refuse)
    monkeypatch.setattr(Pledge, "validate_constraints", refuse)
    form = PledgeActionForm(form_data(), instance=pledge)
    assert form.is_valid(), form.errors
    assert form.instance.action == "Debrief after every incident"
    assert form.instance.strategy.slug == "leadership"
    assert form.edits()["target_date"] == form.instance.target_date


@pytest.mark.parametrize("overrides, field", [
    ({"action": ""}, "action"),
    ({"target_date": "31/02/2027"}, "target_date"),
    ({"strategy": "999999"}, "strategy"),
])
def test_bad_input_is_still_a_field_error(overrides, field):
    form = PledgeActionForm(form_data(**overrides), instance=factories.draft_pledge())
    assert not form.is_valid()
    assert field in form.errors


def test_a_subclass_with_fields_of_its_own_is_validated_as_django_does(monkeypatch):
    class WithComment(PledgeActionForm):
        class Meta(PledgeActionForm.Meta):
            fields = [*PledgeActionForm.Meta.fields, "reviewer_comment"]

    called = []
    real = Pledge.full_clean

    def spy(self, *args, **kwargs):
        called.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Pledge, "full_clean", spy)
    form = WithComment(form_data(reviewer_comment="x"), instance=factories.draft_pledge())
    assert form.is_valid(), form.errors
    assert called
