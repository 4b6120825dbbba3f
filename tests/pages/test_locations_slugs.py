"""Locations as a taxonomy, and organisation slugs that follow renames (issue 14)."""

import importlib

import pytest
from django.apps import apps

from tests import factories
from wagtail_pledges.directory import PlanDirectoryFilterSet
from wagtail_pledges.forms import OrganisationForm
from wagtail_pledges.models import (
    Location,
    Organisation,
    OrganisationSlugHistory,
    organisation_for_slug,
)

pytestmark = pytest.mark.django_db
migration = importlib.import_module(
    "wagtail_pledges.migrations.0006_location_and_slug_history")


def test_seeded_uk_nations_regions_and_ireland():
    uk = Location.objects.get(slug="united-kingdom")
    names = set(uk.children.values_list("name", flat=True))
    assert {"England", "Scotland", "Wales", "Northern Ireland", "London", "North West",
            "Yorkshire and the Humber"} <= names
    assert Location.objects.get(slug="ireland").parent is None
    assert str(Location.objects.get(slug="wales")) == "Wales, United Kingdom"


def test_free_text_regions_are_matched_ignoring_case():
    london = Organisation.objects.create(name="A", slug="a", region="london")
    shouting = Organisation.objects.create(name="B", slug="b", region="LONDON")
    only_country = Organisation.objects.create(name="C", slug="c", region="Somewhere",
                                               country="UK")
    unknown = Organisation.objects.create(name="D", slug="d", region="Atlantis")
    migration.match_free_text(apps, None)
    for organisation in (london, shouting):
        organisation.refresh_from_db()
        assert organisation.location.slug == "london"
        assert (organisation.region, organisation.country) == ("London", "United Kingdom")
    only_country.refresh_from_db()
    assert only_country.location.slug == "united-kingdom"
    unknown.refresh_from_db()
    assert unknown.location is None and unknown.region == "Atlantis"


def test_organisation_form_offers_locations_grouped_by_country():
    form = OrganisationForm()
    html = str(form["location"])
    assert '<optgroup label="United Kingdom">' in html and "Scotland" in html
    assert "---------" not in str(form)
    assert "Choose a sector" in str(form["sector"]) and "Choose a size" in str(form["size_band"])
    bad = OrganisationForm({"name": "X", "sector": "", "location": "999999"})
    assert "location" in bad.errors


def test_directory_form_rejects_unknown_location():
    filters = PlanDirectoryFilterSet({"region": "atlantis"})
    assert not filters.is_valid() and "region" in filters.errors


def test_rename_moves_slug_and_keeps_the_old_one():
    organisation = factories.OrganisationFactory(name="Northfield Trust", slug="northfield-trust")
    organisation.name = "Northfield and District NHS Trust"
    organisation.save()
    assert organisation.slug == "northfield-and-district-nhs-trust"
    assert organisation_for_slug("northfield-trust") == (organisation, False)
    assert organisation_for_slug(organisation.slug) == (organisation, True)
    assert organisation_for_slug("never-existed") == (None, False)
    # Renamed back: the first slug is current again, not history.
    organisation.name = "Northfield Trust"
    organisation.save()
    assert organisation.slug == "northfield-trust"
    assert organisation_for_slug("northfield-trust") == (organisation, True)
    assert set(OrganisationSlugHistory.objects.values_list("slug", flat=True)) == {
        "northfield-and-district-nhs-trust"}


def test_new_organisation_never_takes_an_old_slug():
    first = factories.OrganisationFactory(name="Alpha Care", slug="alpha-care")
    first.name = "Beta Care"
    first.save()
    second = Organisation.objects.create(name="Alpha Care")
    assert second.slug != "alpha-care" and second.slug.startswith("alpha-care-")
    assert organisation_for_slug("alpha-care") == (first, False)


def test_saving_without_a_rename_keeps_the_slug():
    organisation = factories.OrganisationFactory(name="Gamma", slug="custom-slug")
    organisation = Organisation.objects.get(pk=organisation.pk)
    organisation.website = "https://gamma.example"
    organisation.save()
    assert organisation.slug == "custom-slug"
    assert not OrganisationSlugHistory.objects.exists()


def test_old_plan_address_redirects_permanently(client, plans_page):
    plan = factories.approved_plan()
    old = plan.organisation.slug
    plan.organisation.name = "A Brand New Name"
    plan.organisation.save()
    response = client.get(f"{plans_page.url}{old}/")
    assert response.status_code == 301
    assert response["Location"] == f"{plans_page.url}a-brand-new-name/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"{plans_page.url}no-such-organisation/").status_code == 404


def test_two_sign_ups_of_one_name_at_the_same_instant_both_get_a_slug(monkeypatch):
    """Both checked the slug free before either wrote it: the second write takes a
    suffixed slug instead of failing on the unique constraint."""
    from wagtail_pledges.models import organisation as organisation_module

    first = Organisation.objects.create(name="Same Name Trust")
    monkeypatch.setattr(organisation_module, "_slug_taken", lambda slug, exclude: False)
    second = Organisation.objects.create(name="Same Name Trust")
    assert first.slug == "same-name-trust"
    assert second.slug.startswith("same-name-trust-") and len(second.slug) == 22
    assert Organisation.objects.filter(name="Same Name Trust").count() == 2


def test_the_slug_retry_gives_up_after_its_attempts(monkeypatch):
    from django.db import IntegrityError

    from wagtail_pledges.models import organisation as organisation_module

    Organisation.objects.create(name="Clash Trust")
    monkeypatch.setattr(organisation_module, "_slug_taken", lambda slug, exclude: False)
    monkeypatch.setattr(organisation_module, "SLUG_ATTEMPTS", 1)
    with pytest.raises(IntegrityError):
        Organisation.objects.create(name="Clash Trust")
