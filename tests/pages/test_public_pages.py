"""Public pages: directory, membership page, blocks, resources — with query budgets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from wagtail_pledges.models import Location, ProgressUpdate, RestrictivePractice, Strategy

pytestmark = pytest.mark.django_db


def queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries), response


def make_plans(n):
    plans = [factories.approved_plan() for _ in range(n)]
    return plans


# -- directory ----------------------------------------------------------------------------


def test_directory_lists_published_plans_only(client, plans_page):
    published = factories.approved_plan()
    draft = factories.draft_plan()
    submitted = factories.submitted_plan()
    response = client.get(plans_page.url)
    assert [card.pk for card in response.context["cards"]] == [published.pk]
    body = response.content.decode()
    assert draft.organisation.name not in body and submitted.organisation.name not in body
    assert f'href="/plans/{published.organisation.slug}/"' in body


def test_directory_queries_constant_in_number_of_plans(client, plans_page, plain_page):
    make_plans(2)
    base, _r = queries(client, plain_page.url)
    few, response = queries(client, plans_page.url)
    assert len(response.context["cards"]) == 2
    make_plans(18)
    many, response = queries(client, plans_page.url)
    assert len(response.context["cards"]) == 20
    assert few == many
    filtered, response = queries(client, plans_page.url, data={
        "sector": "health", "strategy": "leadership", "q": "Trust", "region": "north-west"})
    assert len(response.context["cards"]) == 20
    assert filtered <= many + 2
    print(f"directory: plain page {base} queries, directory {many}, filtered {filtered}")


def test_directory_filters(client, plans_page):
    plans = make_plans(3)
    other = plans[0]
    other.organisation.location = Location.objects.get(slug="wales")
    other.organisation.save()
    practice = RestrictivePractice.objects.first()
    plans[1].refresh_from_db()  # approve() returns the row as it was before publishing
    plans[1].practices.add(practice)
    plans[1].save()  # ClusterableModel commits parental m2m on save
    response = client.get(plans_page.url, {"region": "wales"})
    assert [p.pk for p in response.context["cards"]] == [other.pk]
    # A country matches every place within it.
    response = client.get(plans_page.url, {"region": "united-kingdom"})
    assert len(response.context["cards"]) == 3
    response = client.get(plans_page.url, {"region": "ireland"})
    assert response.status_code == 400  # offered only where a published plan is
    response = client.get(plans_page.url, {"practice": practice.slug})
    assert [p.pk for p in response.context["cards"]] == [plans[1].pk]
    unused = Strategy.objects.exclude(slug="leadership").first()
    response = client.get(plans_page.url, {"strategy": unused.slug})
    assert response.context["cards"] == []
    response = client.get(plans_page.url, {"q": plans[2].organisation.name})
    assert [p.pk for p in response.context["cards"]] == [plans[2].pk]


@pytest.mark.parametrize("query", [
    {"sector": "nonexistent"}, {"strategy": "x" * 300}, {"region": "Atlantis"},
    {"practice": "1 OR 1=1"}, {"q": "a" * 500}, {"q": "nul\x00byte"},
])
def test_directory_bad_filters_are_400_with_message(client, plans_page, query):
    factories.approved_plan()
    response = client.get(plans_page.url, query)
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert len(response.context["cards"]) == 1  # falls back to every plan


@pytest.mark.parametrize("page", ["2", "999", "abc", "-1", ""])
def test_directory_bad_page_numbers_do_not_fail(client, plans_page, page):
    factories.approved_plan()
    response = client.get(plans_page.url, {"page": page})
    assert response.status_code == 200


def test_plan_detail_page(client, plans_page, plain_page):
    plan = factories.approved_plan()
    ProgressUpdate.objects.create(plan=plan, author=plan.created_by, body="Incidents down 20%")
    url = f"{plans_page.url}{plan.organisation.slug}/"
    client.get(plain_page.url)  # every page's caches (view restrictions, menus) filled
    n, response = queries(client, url)
    body = response.content.decode()
    assert plan.organisation.name in body and "Priority 1" in body and "Priority 2" in body
    assert "Incidents down 20%" in body
    assert plan.period_end.strftime("%Y") in body
    for _ in range(5):
        ProgressUpdate.objects.create(plan=plan, author=plan.created_by, body="More")
    for n_priority in range(10):
        plan.priorities.create(what=f"Extra {n_priority}", strategy=factories.strategy(),
                               lead_role="Lead", timescale_months=6, success_measure="M")
    more, _r = queries(client, url)
    assert more == n
    print(f"plan detail: {n} queries")


def test_unpublished_or_unknown_plan_is_404(client, plans_page):
    draft = factories.draft_plan()
    assert client.get(f"{plans_page.url}{draft.organisation.slug}/").status_code == 404
    assert client.get(f"{plans_page.url}no-such-org/").status_code == 404


def test_sitemap_lists_plans(rf, plans_page):
    plan = factories.approved_plan()
    request = rf.get("/")
    urls = [u["location"] for u in plans_page.get_sitemap_urls(request)]
    assert any(u.endswith(f"/plans/{plan.organisation.slug}/") for u in urls)


# -- membership page and blocks ----------------------------------------------------------------


def test_membership_page_counts_and_call_to_action(client, membership_page):
    factories.active_individual()
    factories.approved_plan()
    response = client.get(membership_page.url)
    counts = response.context["counts"]
    assert counts.individual_members == 1 and counts.organisation_members == 1
    assert response.context["cta"].kind == "join"
    body = response.content.decode()
    assert 'href="/pledge/"' in body and 'href="/organisations/"' in body
    assert "1,613" in body  # the historic baseline, grouped
    assert "<dt>Individual members</dt><dd>1</dd>" in body
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("setup, kind", [
    (lambda: factories.draft_pledge().user, "finish"),
    (lambda: factories.active_individual().user, "member"),
    (lambda: factories.draft_plan().created_by, "finish"),
    (lambda: factories.submitted_plan().created_by, "awaiting"),
    (lambda: factories.approved_plan().created_by, "member"),
])
def test_call_to_action_adapts(client, membership_page, setup, kind):
    user = setup()
    client.force_login(user)
    response = client.get(membership_page.url)
    assert response.context["cta"].kind == kind


def test_call_to_action_renew(client, membership_page):
    from wagtail_pledges import lifecycle
    from wagtail_pledges.models import Membership

    user = factories.active_individual().user
    lifecycle.mark_renewal_due(Membership.objects.get(user=user))
    client.force_login(user)
    response = client.get(membership_page.url)
    assert response.context["cta"].kind == "renew"
    assert b"Renew your membership" in response.content


def test_call_to_action_after_a_decline_or_withdrawal_asks_to_try_again(client,
                                                                        membership_page):
    """Issue 14: a declined member is not told to "join the network" as if new."""
    from wagtail_pledges import lifecycle

    plan = factories.submitted_plan()
    lifecycle.decline(plan, None, reason="Too <b>vague</b>")
    client.force_login(plan.created_by)
    response = client.get(membership_page.url)
    assert response.context["cta"].kind == "try_again"
    body = response.content.decode()
    assert "Your application was not approved this time." in body
    assert "Apply again" in body and 'href="/organisations/"' in body
    assert "See the reviewer’s reasons" in body and "Join the network" not in body

    pledge = factories.active_individual()
    lifecycle.withdraw(pledge.membership, user=pledge.user)
    client.force_login(pledge.user)
    response = client.get(membership_page.url)
    assert response.context["cta"].kind == "try_again"
    assert "Join again" in response.content.decode()
    assert 'href="/pledge/"' in response.content.decode()


def test_membership_page_query_budget(client, membership_page, plain_page,
                                      django_capture_on_commit_callbacks):
    for _ in range(2):
        factories.active_individual()
    client.get(membership_page.url)  # warm the counts cache, as in production
    base, _r = queries(client, plain_page.url)
    few, _r = queries(client, membership_page.url)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            factories.active_individual()
        factories.approved_plan()
    client.get(membership_page.url)  # the transitions emptied the cache: refill it
    many, response = queries(client, membership_page.url)
    assert response.context["counts"].individual_members == 12
    assert few == many
    assert many <= base + 3
    user = factories.UserFactory()
    client.force_login(user)
    base_in, _r = queries(client, plain_page.url)
    member_in, _r = queries(client, membership_page.url)
    assert member_in <= base_in + 3
    print(f"membership page: plain {base} vs {many} anonymous; {base_in} vs {member_in} signed in")


def test_members_only_block_and_resources(client, resources):
    index, page = resources
    response = client.get(page.url)
    body = response.content.decode()
    assert "Open to all." in body and "A teaser." in body and "Secret sauce." not in body
    member = factories.active_individual().user
    client.force_login(member)
    body = client.get(page.url).content.decode()
    assert "Secret sauce." in body and "A teaser." not in body
    listing = client.get(index.url).content.decode()
    assert "Debrief guide" in listing and "How to debrief." in listing


def test_live_counts_and_cta_blocks_render(rf):
    from django.contrib.auth.models import AnonymousUser

    from wagtail_pledges.blocks import CallToActionBlock, LiveCountsBlock

    factories.active_individual()
    request = rf.get("/")
    request.user = AnonymousUser()
    html = LiveCountsBlock().render(LiveCountsBlock().to_python({"heading": "Members now"}),
                                    context={"request": request})
    assert "Members now" in html and "<dd>1</dd>" in html
    html = CallToActionBlock().render(CallToActionBlock().to_python({}),
                                      context={"request": request})
    assert "Join the network" in html


def test_awareness_video_block_needs_exactly_one_source():
    from wagtail.blocks.struct_block import StructBlockValidationError

    from wagtail_pledges.blocks import AwarenessVideoBlock

    block = AwarenessVideoBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"title": "No source"}))
    value = block.clean(block.to_python({"title": "OK", "video_url": "https://x.org/a.mp4",
                                         "duration": 90}))
    assert value.video_key.startswith("url:")


def test_membership_page_links_follow_the_journey_page(client, membership_page,
                                                       individual_page):
    journey = individual_page
    membership_page.individual_pledge_page = journey
    membership_page.save_revision().publish()
    assert journey.url in client.get(membership_page.url).content.decode()
    journey.slug = "join-us-now"
    journey.save_revision().publish()
    journey.refresh_from_db()
    assert "/join-us-now/" in client.get(membership_page.url).content.decode()
