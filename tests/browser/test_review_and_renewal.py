"""Request changes and renewal, end to end in a browser (issue 14).

(a) A reviewer asks for changes in the admin; the organisation's admin sees the
    comment on their dashboard, edits the plan, resubmits; the reviewer approves.
(b) An individual whose period is ending renews from their dashboard.
Also screenshots of the dashboard of a declined member and of an organisation admin.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot, sign_in
from tests.browser.test_journeys import EDITOR, expect_heading, future_date
from tests.example.demo_site import shell_json

pytestmark = pytest.mark.browser
PASSWORD = "rrn-demo-2026"  # load_rrn_demo's password for the people it creates

SEED = r"""
import datetime, json
from django.utils import timezone
from rrn.site.management.commands.load_rrn_demo import Command
from wagtail.models import Page
from wagtail_pledges import lifecycle
from wagtail_pledges.models import (
    ActionPlan, Location, Membership, Priority, Sector, Strategy, VideoProgress)
from wagtail_pledges.pages.models import IndividualPledgePage

command = Command()
editor = command.user("editor@rrn.example")
kind = "%(kind)s"
email = "%(email)s"
user = command.user(email, first_name="Sam", last_name="Tester")
out = {}
if kind in ("plan", "declined_plan"):
    plan = lifecycle.start_organisation(
        user, name="%(name)s", sector=Sector.objects.get(slug="education"),
        location=Location.objects.get(slug="wales"), website="https://school.example")
    plan.public_summary = "We will reduce restraint in our schools."
    plan.signoff_name, plan.signoff_role, plan.signoff_confirmed = "Dr A. Head", "Head", True
    plan.save()
    Priority.objects.create(plan=plan, sort_order=0, what="Train every teacher in de-escalation",
                            strategy=Strategy.objects.get(slug="workforce"),
                            lead_role="Deputy head", timescale_months=12,
                            success_measure="All staff trained")
    Priority.objects.create(plan=plan, sort_order=1, what="Debrief after every incident",
                            strategy=Strategy.objects.get(slug="debriefing"),
                            lead_role="Head", timescale_months=6,
                            success_measure="Every incident debriefed")
    plan = lifecycle.submit_plan(plan, user)
    out["plan"] = plan.pk
else:
    page = IndividualPledgePage.objects.live().first()
    now = timezone.now()
    for video in page.video_blocks:
        VideoProgress.objects.update_or_create(user=user, video_key=video.video_key, defaults={
            "duration": 24, "watched": [[0, 24]], "position": 24,
            "first_report_at": now - datetime.timedelta(minutes=2), "last_report_at": now,
            "completed_at": now})
    pledge = lifecycle.start_individual(user)
    pledge.action = "Ask each person what helps them feel safe."
    pledge.strategy = Strategy.objects.get(slug="involvement")
    pledge.target_date = lifecycle.today() + datetime.timedelta(days=60)
    pledge.save()
    if kind == "declined":
        from django.test import override_settings
        with override_settings(WAGTAIL_PLEDGES={"INDIVIDUAL_REQUIRES_REVIEW": True}):
            lifecycle.submit_pledge(pledge, user)
        lifecycle.decline(pledge, editor, "An action needs to be something you will do in "
                          "your own work. Please tell us what you will change.")
    else:
        lifecycle.submit_pledge(pledge, user)
        membership = Membership.objects.get(user=user)
        end = lifecycle.today() + datetime.timedelta(days=20)
        Membership.objects.filter(pk=membership.pk).update(period_end=end)
        lifecycle.mark_renewal_due(Membership.objects.get(pk=membership.pk))
print(json.dumps(out))
"""


def seed(demo_server, kind: str, email: str, name: str = "") -> dict:
    return shell_json(demo_server.env, SEED % {"kind": kind, "email": email, "name": name})


def test_reviewer_requests_changes_then_approves(page, browser, demo_server):
    email = "head@valley-school.example"
    name = "Valley Special School"
    seed(demo_server, "plan", email, name)

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900},
                                   base_url=demo_server.url)
    admin = reviewer.new_page()
    sign_in(admin, *EDITOR)
    admin.goto("/admin/membership/review/")
    admin.get_by_role("link", name=name).first.click()
    admin.wait_for_load_state()
    body = admin.locator("main").inner_text()
    assert "Wales, United Kingdom" in body and "https://school.example" in body
    admin.get_by_label("What needs to change").fill(
        "Please add a priority on debriefing after every incident.")
    admin.get_by_role("button", name="Request changes").click()
    admin.wait_for_load_state()

    sign_in(page, email, PASSWORD)
    page.goto("/pledges/")
    main = page.locator("main").inner_text()
    assert "Please add a priority on debriefing after every incident." in main
    assert "You have not joined yet" not in main
    shot(page, "dashboard-organisation-changes-requested")
    page.get_by_role("link", name="Finish joining").click()
    page.get_by_role("link", name="Continue your action plan").click()
    page.wait_for_load_state()
    page.get_by_role("button", name=re.compile("Add (another )?priority", re.I)).click()
    page.wait_for_load_state()
    prefix = "priorities-1-"
    page.locator(f"[name={prefix}what]").fill(
        "Debrief with staff and the pupil after every incident.")
    page.locator(f"[name={prefix}strategy]").select_option(label="Debriefing")
    page.locator(f"[name={prefix}lead_role]").fill("Deputy head")
    page.locator(f"[name={prefix}timescale_months]").fill("6")
    page.locator(f"[name={prefix}success_measure]").fill("Every incident debriefed")
    page.get_by_role("button", name=re.compile("preview", re.I)).click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile("sign", re.I)).first.click()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "review" in page.locator("main").inner_text().lower()

    admin.goto("/admin/membership/review/")
    admin.get_by_role("link", name=name).first.click()
    admin.wait_for_load_state()
    assert "Debrief with staff" in admin.locator("main").inner_text()
    admin.get_by_role("button", name="Approve and publish").click()
    admin.wait_for_load_state()
    reviewer.close()

    assert demo_server.query(
        "SELECT m.status FROM wagtail_pledges_membership m JOIN wagtail_pledges_organisation o "
        "ON o.id = m.organisation_id WHERE o.name = ?", (name,)) == [("active",)]
    page.goto("/pledges/")
    main = page.locator("main").inner_text()
    assert "See the published action plan" in main and "Changes requested" in main
    shot(page, "dashboard-organisation-admin")


def test_individual_renews_from_the_dashboard(page, demo_server):
    email = "renewing.member@example.org"
    seed(demo_server, "renewal", email)
    sign_in(page, email, PASSWORD)
    page.goto("/pledges/")
    main = page.locator("main").inner_text()
    assert "Renewal due" in main and "Renew your membership" not in main
    page.get_by_role("button", name="Start my renewal").click()
    page.wait_for_load_state()
    # The journey page picks up where the renewal stands: the videos were watched.
    page.get_by_role("link", name="Continue where you left off").click()
    page.wait_for_load_state()
    shot(page, "individual-renewal-commit")
    page.get_by_label(re.compile("action", re.I)).first.fill(
        "Run a monthly reflective session on restrictive practice with my team.")
    page.get_by_label(re.compile("strategy", re.I)).first.select_option(label="Debriefing")
    page.locator("input[name=target_date]").fill(future_date(months=9))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    rows = demo_server.query(
        "SELECT m.status, m.period_end FROM wagtail_pledges_membership m JOIN auth_user u "
        "ON u.id = m.user_id WHERE u.email = ?", (email,))
    assert rows[0][0] == "active", rows
    assert rows[0][1] > future_date(months=12), rows  # a new two-year period
    page.goto("/pledges/")
    expect_heading(page, "Your membership")
    assert "Monthly reflective session".lower() in page.locator("main").inner_text().lower()


def test_declined_member_dashboard(page, demo_server):
    email = "declined.member@example.org"
    seed(demo_server, "declined", email)
    sign_in(page, email, PASSWORD)
    page.goto("/pledges/")
    main = page.locator("main").inner_text()
    assert "Please tell us what you will change." in main
    assert "Ask each person what helps them feel safe." in main
    shot(page, "dashboard-declined")
