"""The plan list's order and cursor pages: alphabetical by organisation, ties by plan,
every published plan exactly once whatever the page size, forwards and backwards."""

import pytest

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import ActionPlan, Organisation

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/plans/"
# Ties on purpose: three "Alpha Trust"s (slugs differ), and names that only differ in case.
NAMES = ["Beta", "Alpha Trust", "alpha trust", "Alpha Trust", "Zeta", "Alpha Trust", "Beta",
         "Ärzte", "Gamma"]


def publish_for(name):
    organisation = factories.OrganisationFactory(name=name)
    plan = factories.complete_plan(factories.draft_plan(organisation=organisation))
    lifecycle.submit_plan(plan, plan.created_by)
    return lifecycle.approve(plan, factories.UserFactory(is_superuser=True, is_staff=True))


@pytest.fixture
def plans():
    made = [publish_for(name) for name in NAMES]
    factories.submitted_plan()  # not published: never listed
    return made


def before():
    """The order the list had before the sort key was copied onto the plan: sorted by the
    database on the organisation's own name, then the plan's id."""
    return list(ActionPlan.objects.published().order_by("organisation__name", "pk")
                .values_list("pk", flat=True))


def walk(client, url):
    pages, body = [], client.get(url).json()
    pages.append(body)
    while body["next"]:
        body = client.get(body["next"]).json()
        pages.append(body)
    return pages


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 100])
def test_pages_walk_every_plan_once_in_the_old_order(client, plans, page_size):
    pages = walk(client, f"{API}?page_size={page_size}")
    ids = [plan["id"] for page in pages for plan in page["results"]]
    assert ids == before()
    assert len(ids) == len(NAMES) == len(set(ids))
    # And back again from the last page, following ``previous``.
    body, back = pages[-1], []
    while body["previous"]:
        body = client.get(body["previous"]).json()
        back = [plan["id"] for plan in body["results"]] + back
    assert back + [plan["id"] for plan in pages[-1]["results"]] == ids


def test_a_rename_between_pages_neither_repeats_nor_skips_others(client, plans):
    first = client.get(f"{API}?page_size=3").json()
    seen = [plan["id"] for plan in first["results"]]
    # "Zeta" becomes "Aardvark": it moves before the cursor, so it is not shown again.
    zeta = Organisation.objects.get(name="Zeta")
    zeta.name = "Aardvark"
    zeta.save()
    body = client.get(first["next"]).json()
    rest = [plan["id"] for plan in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        rest += [plan["id"] for plan in body["results"]]
    moved = zeta.plans.get().pk
    assert moved not in seen + rest
    assert sorted(seen + rest + [moved]) == sorted(p.pk for p in plans)
    assert seen + rest == [pk for pk in before() if pk != moved]


def test_filtered_and_searched_pages_keep_the_order(client, plans):
    for query in ("q=alpha", "q=trust", "sector=health", "strategy=leadership"):
        ids = [p["id"] for page in walk(client, f"{API}?page_size=2&{query}")
               for p in page["results"]]
        assert ids, query
        assert ids == [pk for pk in before() if pk in set(ids)], query
