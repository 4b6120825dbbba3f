"""Both ways to join, end to end, as a person in a browser would.

(a) An individual signs up, watches both awareness videos, commits to one action,
    confirms the emailed link and sees an active membership.
(b) An organisation signs up, fills in its profile, adds priorities, signs off and
    submits; a reviewer approves it; the plan appears in the public directory.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot, sign_in, sign_up

pytestmark = pytest.mark.browser

EDITOR = ("editor@rrn.example", "rrn-demo-2026")
NEW_PASSWORD = "a-Long-demo-passw0rd"


def watch(page, number: int) -> None:
    """Play the video on this step, muted, until the server says it was watched.

    At normal speed: the server counts only what plays no faster than the clock
    (VIDEO_MAX_PLAYBACK_RATE), so a fast-forwarded video would never count."""
    video = page.locator("[data-pledges-video] video")
    video.wait_for()
    page.wait_for_function(
        "v => v.readyState >= 1 && isFinite(v.duration)", arg=video.element_handle()
    )
    video.evaluate("v => { v.muted = true; v.playbackRate = 1; return v.play(); }")
    page.wait_for_timeout(1500)
    shot(page, f"individual-3-video-{number}-playing", full_page=False)
    status = page.locator("[data-pledges-video] [data-status]")
    status.filter(has_text="You have watched this video").wait_for(timeout=90_000)


def test_individual_joins(page, demo_server):
    email = "new.person@example.org"
    page.goto("/")
    shot(page, "home")
    page.get_by_role("link", name="Join the network").first.click()
    expect_heading(page, "Join the network")
    shot(page, "membership-page")

    sign_up(page, email, NEW_PASSWORD)
    page.goto("/membership/individual/")
    shot(page, "individual-1-start")
    page.get_by_role("button", name="Start").click()
    expect_heading(page, "Video 1 of 2")
    shot(page, "individual-2-video-1")

    watch(page, 1)
    page.get_by_role("link", name="Next video").click()
    expect_heading(page, "Video 2 of 2")
    watch(page, 2)
    page.get_by_role("link", name=re.compile("Next: your action")).click()

    page.get_by_label(re.compile("action", re.I)).first.fill(
        "Ask every person I support what helps them feel safe, and write it into their plan."
    )
    page.get_by_label(re.compile("strategy", re.I)).first.select_option(
        label="Involving people who use services and families"
    )
    page.locator("input[name=target_date]").fill(future_date(months=6))
    shot(page, "individual-4-commit")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    shot(page, "individual-5-check-email")
    assert "email" in page.locator("main").inner_text().lower()

    link = demo_server.email_link(email, "/pledges/confirm/")
    page.goto(link)
    shot(page, "individual-6-confirm")
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    page.wait_for_load_state()
    assert page.url.endswith("/pledges/")
    shot(page, "individual-7-dashboard-active")
    main = page.locator("main").inner_text()
    assert "Active" in main, main

    assert demo_server.query(
        "SELECT m.status FROM wagtail_pledges_membership m JOIN auth_user u "
        "ON u.id = m.user_id WHERE u.email = ?", (email,),
    ) == [("active",)]


def test_organisation_joins_and_is_published(page, browser, demo_server):
    email = "lead@brightwater-care.example"
    name = "Brightwater Care Partnership"
    sign_up(page, email, NEW_PASSWORD)
    page.goto("/membership/organisation/")
    shot(page, "organisation-1-start")
    page.get_by_role("link", name=re.compile("organisation", re.I)).filter(
        has_text=re.compile("Register|Add|new|Start", re.I)
    ).first.click()

    page.get_by_label("Name").fill(name)
    page.get_by_label("Sector").select_option(label="Social care")
    page.get_by_label("Where you are").select_option(label="North West")
    page.get_by_label("Website").fill("https://brightwater.example")
    shot(page, "organisation-2-profile")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()

    page.get_by_label(re.compile("public summary", re.I)).fill(
        "Brightwater will end the use of locked doors in our supported living services "
        "and review every restriction with the person it affects."
    )
    page.get_by_label("Psycho-social restraint").check()
    fill_priority(page, 0, "Review every locked door with the person and family.",
                  "Involving people who use services and families", "Service managers", "12",
                  "Every restriction reviewed")
    page.get_by_role("button", name=re.compile("Add (another )?priority", re.I)).click()
    page.wait_for_load_state()
    fill_priority(page, 1, "Positive behaviour support training for every team.",
                  "Workforce development", "Training lead", "18", "95% of staff trained")
    shot(page, "organisation-3-plan")
    page.get_by_role("button", name=re.compile("preview", re.I)).click()
    page.wait_for_load_state()
    shot(page, "organisation-4-preview")
    page.get_by_role("link", name=re.compile("sign", re.I)).first.click()

    page.get_by_label(re.compile("name", re.I)).first.fill("Ms E. Walker")
    page.get_by_label(re.compile("role", re.I)).first.fill("Chief Executive")
    page.get_by_role("checkbox").last.check()
    shot(page, "organisation-5-signoff")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    shot(page, "organisation-6-submitted")
    assert "review" in page.locator("main").inner_text().lower()

    # The reviewer approves it in the admin.
    reviewer = browser.new_context(viewport={"width": 1280, "height": 900},
                                   base_url=demo_server.url)
    admin = reviewer.new_page()
    approve_in_admin(admin, name)
    reviewer.close()

    page.goto("/action-plans/")
    page.get_by_role("link", name=name).click()
    expect_heading(page, name)
    shot(page, "directory-plan-new")
    assert "Review every locked door" in page.locator("main").inner_text()


def approve_in_admin(admin, name: str) -> None:
    """The reviewer's path: admin home → review queue → the plan → approve and publish."""
    sign_in(admin, *EDITOR)
    admin.goto("/admin/")
    shot(admin, "reviewer-1-admin-dashboard", full_page=False)
    admin.goto("/admin/membership/review/")
    shot(admin, "reviewer-2-review-queue", full_page=False)
    admin.get_by_role("link", name=name).first.click()
    admin.wait_for_load_state()
    shot(admin, "reviewer-3-review")
    admin.get_by_role("button", name="Approve and publish").click()
    admin.wait_for_load_state()
    shot(admin, "reviewer-4-approved", full_page=False)
    assert "approved" in admin.locator("body").inner_text().lower()


def fill_priority(page, index: int, what, strategy, lead, months, measure) -> None:
    prefix = f"priorities-{index}-"
    page.locator(f"[name={prefix}what]").fill(what)
    page.locator(f"[name={prefix}strategy]").select_option(label=strategy)
    page.locator(f"[name={prefix}lead_role]").fill(lead)
    page.locator(f"[name={prefix}timescale_months]").fill(months)
    page.locator(f"[name={prefix}success_measure]").fill(measure)


def expect_heading(page, text: str) -> None:
    page.get_by_role("heading", level=1, name=text).wait_for()


def future_date(months: int) -> str:
    import datetime

    return (datetime.date.today() + datetime.timedelta(days=30 * months)).isoformat()
