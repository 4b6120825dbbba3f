"""The API's commit step checks what the page's commit step checks.

A site swaps the page's commit form (``form_classes = {"commit": …}``); a client of
the API must meet the same rules, or the API is a way round them. With the default
form, the body's serializer already checks everything the form does, so the form is
not built again (it cost about 8 % of the API's CPU per submission).
"""

import datetime

import pytest
from django import forms

from tests.api.conftest import API, errors_of
from tests.pages.conftest import watch
from wagtail_pledges import lifecycle
from wagtail_pledges.api import write_serializers as ws
from wagtail_pledges.forms import PledgeActionForm
from wagtail_pledges.models import Pledge, RestrictivePractice, ReviewStatus, Strategy

pytestmark = pytest.mark.django_db


class NoRestraintForm(PledgeActionForm):
    """A site's rule: the action must not name a restraint to keep using."""

    def clean_action(self):
        action = self.cleaned_data["action"]
        if "restrain" in action.lower():
            raise forms.ValidationError("Name an action that reduces restraint.")
        return action


def body(page, **overrides):
    return {"page": page.pk, "action": "Debrief after every incident.",
            "strategy": "debriefing", "practices": ["physical"],
            "target_date": (lifecycle.today() + datetime.timedelta(days=60)).isoformat(),
            **overrides}


@pytest.fixture
def site_form(individual_page, monkeypatch):
    monkeypatch.setattr(type(individual_page), "form_classes",
                        {"commit": NoRestraintForm})


def test_the_pages_own_commit_form_governs_the_api(api, signed_in, individual_page,
                                                   site_form, client):
    user = signed_in()
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    refused = api.post(API + "pledge/commit/",
                       body(individual_page, action="Restrain only as a last resort."),
                       format="json")
    assert refused.status_code == 400
    assert errors_of(refused)["action"] == ["Name an action that reduces restraint."]
    pledge = Pledge.objects.get(user=user)
    assert pledge.review_status == ReviewStatus.DRAFT
    assert pledge.action == ""  # nothing of a refused body is written
    # What the form lets through is submitted as before.
    accepted = api.post(API + "pledge/commit/", body(individual_page), format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["pledge"]["review_status"] == "approved"
    assert accepted.json()["pledge"]["strategy"] == "debriefing"
    assert accepted.json()["pledge"]["practices"] == ["physical"]


def test_the_default_form_is_not_built_again(api, signed_in, individual_page, monkeypatch):
    built = []
    original = PledgeActionForm.__init__
    monkeypatch.setattr(PledgeActionForm, "__init__",
                        lambda self, *a, **kw: (built.append(self), original(self, *a, **kw))[1])
    user = signed_in()
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    response = api.post(API + "pledge/commit/", body(individual_page), format="json")
    assert response.status_code == 200, response.content
    assert built == []
    pledge = Pledge.objects.get(user=user)
    assert pledge.action == "Debrief after every incident."
    assert pledge.strategy.slug == "debriefing"
    assert [p.slug for p in pledge.practices.all()] == ["physical"]


def test_a_practice_named_twice_is_linked_once(api, signed_in, individual_page):
    user = signed_in()
    api.post(API + "pledge/start/")
    watch(user, individual_page)
    response = api.post(API + "pledge/commit/", body(
        individual_page, practices=["physical", "chemical", "physical"]), format="json")
    assert response.status_code == 200, response.content
    assert sorted(response.json()["pledge"]["practices"]) == ["chemical", "physical"]
    assert sorted(Pledge.objects.get(user=user).practices.values_list(
        "slug", flat=True)) == ["chemical", "physical"]


@pytest.mark.parametrize("overrides", [
    {},
    {"action": "  Debrief\r\nafter every incident.\t "},
    {"action": "Ünïcödé — <script>alert(1)</script> & \"quotes\""},
    {"action": "x" * 5000},
    {"practices": []},
    {"practices": ["other", "chemical", "physical"]},
    {"practices": ["physical", "physical"]},
    {"target_date": "2031-02-28"},
    {"target_date": "1999-01-01"},
])
def test_what_the_serializer_accepts_the_default_form_accepts_alike(individual_page,
                                                                    overrides):
    """The cut above holds only while the serializer is at least as strict as the
    default form, field by field, and cleans to the same values."""
    serializer = ws.PledgeCommitSerializer(data=body(individual_page, **overrides))
    assert serializer.is_valid(), serializer.errors
    data = serializer.validated_data
    form = PledgeActionForm(data={
        "action": body(individual_page, **overrides)["action"],
        "strategy": str(Strategy.objects.get(slug=data["strategy"].slug).pk),
        "target_date": body(individual_page, **overrides)["target_date"],
        "practices": [str(RestrictivePractice.objects.get(slug=slug).pk)
                      for slug in body(individual_page, **overrides)["practices"]],
    })
    assert form.is_valid(), form.errors
    edits = form.edits()
    assert data["action"] == edits["action"]
    assert data["strategy"] == edits["strategy"]
    assert data["target_date"] == edits["target_date"]
    assert {p.pk for p in data["practices"]} == {p.pk for p in edits["practices"]}


@pytest.mark.parametrize("overrides", [
    {"action": ""}, {"action": "   "}, {"action": "a\x00b"}, {"action": "x" * 5001},
    {"action": None}, {"action": []}, {"strategy": "nonsense"}, {"strategy": ""},
    {"strategy": None}, {"target_date": "tomorrow"}, {"target_date": ""},
    {"target_date": "2031-02-30"}, {"practices": ["nonsense"]}, {"practices": "physical"},
    {"practices": [None]},
])
def test_what_the_default_form_refuses_the_serializer_refuses(individual_page, overrides):
    serializer = ws.PledgeCommitSerializer(data=body(individual_page, **overrides))
    assert not serializer.is_valid()
    assert set(serializer.errors) == set(overrides)
