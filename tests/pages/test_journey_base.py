"""What every journey step shares: allowed methods, sign-in, private caching, form hook."""

import datetime

import pytest
from django import forms

from tests import factories
from tests.pages.conftest import watch
from wagtail_pledges import lifecycle
from wagtail_pledges.forms import PledgeActionForm
from wagtail_pledges.journey_urls import journey_page_models
from wagtail_pledges.pages.models import IndividualPledgePage, OrganisationPledgePage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["video/1/", "check-email/", "done/"])
def test_read_only_steps_answer_post_with_405(client, user, individual_page, path):
    client.force_login(user)
    response = client.post(individual_page.url + path)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


def test_organisation_start_is_post_only_and_signed_out_viewers_go_to_login(
    client, organisation_page
):
    plan = factories.draft_plan()
    start = organisation_page.url + f"start/{plan.organisation.pk}/"
    assert client.get(start).status_code == 405
    response = client.post(start)
    assert response.status_code == 302 and "next=" in response["Location"]
    response = client.get(organisation_page.url + f"plan/{plan.pk}/status/")
    assert response.status_code == 302 and "next=" in response["Location"]


@pytest.mark.parametrize("path", ["", "done/", "check-email/"])
def test_every_journey_response_is_private_and_uncached(client, user, individual_page, path):
    client.force_login(user)
    response = client.get(individual_page.url + path)
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-cache" in cache_control
    assert "no-store" in cache_control


class CarefulActionForm(PledgeActionForm):
    """A site's own commit form: it refuses actions that mention restraint only once."""

    def clean_action(self):
        action = self.cleaned_data["action"]
        if "restraint" not in action.lower():
            raise forms.ValidationError("Say which restraint you will reduce.")
        return action


def test_a_site_swaps_a_step_form_through_form_classes(client, individual_page, monkeypatch):
    monkeypatch.setattr(IndividualPledgePage, "form_classes", {"commit": CarefulActionForm})
    pledge = factories.draft_pledge()
    watch(pledge.user, individual_page)
    client.force_login(pledge.user)
    response = client.post(individual_page.url + "commit/", {
        "action": "Be kinder", "strategy": factories.strategy().pk,
        "target_date": (lifecycle.today() + datetime.timedelta(days=90)).isoformat(),
    })
    assert response.status_code == 400
    assert isinstance(response.context["form"], CarefulActionForm)
    assert "Say which restraint you will reduce." in response.content.decode()
    assert individual_page.specific.get_form_class("commit") is CarefulActionForm


def test_journey_pages_are_found_by_their_journey_not_by_import():
    assert journey_page_models("individual") == [IndividualPledgePage]
    assert journey_page_models("organisation") == [OrganisationPledgePage]
