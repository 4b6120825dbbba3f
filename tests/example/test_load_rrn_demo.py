"""``load_rrn_demo`` builds the whole RRN site, and a second run changes nothing."""

from __future__ import annotations

import pytest

from tests.example.demo_site import build_demo, demo_env, shell_json

# Row counts of everything the command creates, plus the counters pages show.
SNAPSHOT = r"""
import json
from django.apps import apps
from django.contrib.auth.models import Group
from allauth.account.models import EmailAddress
from wagtail.models import Collection, Page, Revision
from wagtail.documents import get_document_model
from wagtail_pledges.models import (
    ActionPlan, Counter, LegacySignatory, LifecycleEvent, Membership, Organisation,
    OutboxMessage, Pledge, Priority, ProgressUpdate, VideoProgress,
)
from django.contrib.auth import get_user_model
models = [Page, Revision, Collection, get_document_model(), get_user_model(), Group,
          EmailAddress, Membership, Organisation, ActionPlan, Priority, Pledge,
          ProgressUpdate, LifecycleEvent, OutboxMessage, VideoProgress, LegacySignatory]
rows = {m._meta.label: m.objects.count() for m in models}
rows["counters"] = dict(Counter.objects.values_list("key", "value"))
rows["pages"] = sorted(Page.objects.filter(depth__gte=2).values_list("url_path", flat=True))
print(json.dumps(rows))
"""

FACTS = r"""
import json
from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail_pledges.models import ActionPlan, ProgressUpdate
plans = ActionPlan.objects.published().select_related("organisation__sector")
changing = Page.objects.get(slug="membership-is-changing").specific
pledge_page = Page.objects.get(slug="individual").specific
print(json.dumps({
    "plans": [
        {"sector": p.organisation.sector.slug, "region": p.organisation.region,
         "priorities": p.priorities.count(),
         "strategies": sorted(set(p.priorities.values_list("strategy__slug", flat=True))),
         "practices": p.practices.count(), "updates": ProgressUpdate.objects.filter(plan=p).count()}
        for p in plans
    ],
    "changing": strip_tags(str(changing.body.render_as_block())),
    "videos": [
        {"size": b.value["document"].file.size, "name": b.value["document"].file.name,
         "captions": bool(b.value["captions"])}
        for b in pledge_page.videos
    ],
    "types": sorted({p.specific_class.__name__ for p in Page.objects.filter(depth__gte=2)}),
}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    env = demo_env(tmp_path_factory.mktemp("demo"))
    output = build_demo(env)
    return env, output


def test_second_run_creates_nothing(demo):
    env, first_output = demo
    assert "rrn-demo-2026" in first_output  # the logins are printed
    before = shell_json(env, SNAPSHOT)
    second_output = build_demo(env)
    after = shell_json(env, SNAPSHOT)
    assert after == before
    assert "0 new demo emails" in second_output
    assert before["wagtail_pledges.ActionPlan"] == 12
    assert before["counters"]["plans:published"] == 12


def test_site_carries_the_facts_and_the_plans(demo):
    env, _output = demo
    facts = shell_json(env, FACTS)
    assert {
        "HomePage", "StandardPage", "MembershipPage", "IndividualPledgePage",
        "OrganisationPledgePage", "PlansIndexPage", "ResourceIndexPage", "ResourcePage",
    } <= set(facts["types"])

    text = facts["changing"]
    for fact in ("June 2014", "1,613 individuals", "375 organisations", "free",
                 "two short awareness videos", "one action", "action plan", "Six Core Strategies",
                 "publishes", "coming soon", "summer 2020", "RRN member logo",
                 "end of summer 2020", "steering group", "0121 415 6960",
                 "network@restraintreductionnetwork.org"):
        assert fact in text, fact

    plans = facts["plans"]
    assert len(plans) == 12
    assert {p["sector"] for p in plans} == {"health", "education", "social-care", "other"}
    assert len({p["region"] for p in plans}) >= 8
    assert all(2 <= p["priorities"] <= 4 for p in plans)
    assert all(p["practices"] >= 1 for p in plans)
    assert len({s for p in plans for s in p["strategies"]}) == 6  # all Six Core Strategies
    assert sum(1 for p in plans if p["updates"]) >= 4

    assert len(facts["videos"]) == 2
    for video in facts["videos"]:
        assert video["name"].endswith(".mp4")
        assert 0 < video["size"] <= 300 * 1024
        assert video["captions"]


PAGE_HTML = r"""
import json
from django.test import Client
response = Client().get("/membership-is-changing/", HTTP_HOST="127.0.0.1")
print(json.dumps({"status": response.status_code, "html": response.content.decode()}))
"""


def test_membership_is_changing_subheadings_are_headings(demo):
    env, _output = demo
    page = shell_json(env, PAGE_HTML)
    assert page["status"] == 200
    assert "<h2>If you join as an individual</h2>" in page["html"]
    assert "<h2>If you join as an organisation</h2>" in page["html"]


SIGN_UP = r"""
import json
from django.core import mail
from django.test import Client
from django.test.utils import setup_test_environment
from wagtail_pledges.models import OutboxMessage
setup_test_environment()  # locmem email backend: count what allauth sends
client = Client(HTTP_HOST="127.0.0.1:8765")
response = client.post("/accounts/signup/", {
    "email": "one.email@example.org", "password1": "a-Long-demo-passw0rd",
    "password2": "a-Long-demo-passw0rd"})
print(json.dumps({"status": response.status_code, "sent": [m.subject for m in mail.outbox],
                  "queued": OutboxMessage.objects.filter(to="one.email@example.org").count()}))
"""


def test_sign_up_sends_no_generic_allauth_email(demo):
    env, _output = demo
    result = shell_json(env, SIGN_UP)
    assert result["status"] == 302, result
    assert result["sent"] == [] and result["queued"] == 0
