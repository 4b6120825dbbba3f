"""``load_rrn_demo`` builds the whole RRN site, and a second run changes nothing."""

from __future__ import annotations

import datetime

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


def deadline_in_words() -> str:
    """The demo's live campaign: its deadline is 75 days after the site starts."""
    day = datetime.date.today() + datetime.timedelta(days=75)
    return f"by {day.day} {day:%B %Y}"


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
                 deadline_in_words(), "Ask for a new link", "steering group", "0121 415 6960",
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


PRIVACY = r"""
import json
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Page, PageViewRestriction
page = Page.objects.get(slug="members-case-studies")
index = page.get_parent()
name = "case studies: what reduced restraint"  # no character HTML would escape
def visit(email):
    client = Client()
    if email:
        client.force_login(get_user_model().objects.get(email=email))
    def text(url):
        return client.get(url).content.decode()
    response = client.get(page.url)
    return {
        "status": response.status_code,
        "names_it": name in response.content.decode(),
        "cache": response.get("Cache-Control", ""),
        "search": name in text("/search/?query=case+studies"),
        "index": name in text(index.url),
        "sitemap": page.url in text("/sitemap.xml"),
        "api": name in text(f"/api/v2/pages/?child_of={index.pk}"),
        "home_menu": name in text("/"),
    }
print(json.dumps({
    "restricted_to": list(PageViewRestriction.objects.filter(page=page)
                          .values_list("groups__name", flat=True)),
    "anonymous": visit(None), "non_member": visit("editor@rrn.example"),
    "member": visit("member@rrn.example"),
}))
"""

FILES = r"""
import json, re
from pathlib import Path
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content

anonymous, member = Client(), Client()
member.force_login(get_user_model().objects.get(email="member@rrn.example"))
page = anonymous.get("/workshop-gallery/")
src = re.search(r'<img[^>]* src="([^"]+)"', page.content.decode()).group(1)
photo = get_image_model().objects.get(title="Debrief workshop, Birmingham")
renditions = list(photo.renditions.all())
rendition = next(r for r in renditions if r.url == src)
guides = get_document_model().objects.filter(collection__name="Member resources")
media = Path(settings.MEDIA_ROOT)
under_media = sorted(p.name for p in media.rglob("*") if p.is_file())
with rendition.file.open("rb") as f:
    rendition_bytes = f.read()
print(json.dumps({
    "page": page.status_code, "src": src,
    "anonymous": anonymous.get(src).status_code,
    "member_gets_bytes": body(member.get(src)) == rendition_bytes,
    "names": [photo.file.name, *[r.file.name for r in renditions],
              *[d.file.name for d in guides]],
    "under_media": under_media,
    "old_urls": [anonymous.get(settings.MEDIA_URL + n.removeprefix("restricted/")).status_code
                 for n in [photo.file.name, rendition.file.name, guides[0].file.name]]
                + [anonymous.get(settings.MEDIA_URL + photo.file.name).status_code],
    "guide": anonymous.get(guides[0].url).status_code,
    "guide_member": body(member.get(guides[0].file.url))[:5].decode(),
}))
"""


def test_demo_has_a_private_page_that_leaves_no_trace(demo):
    env, _output = demo
    seen = shell_json(env, PRIVACY)
    assert seen["restricted_to"] == ["Members"]
    member = seen["member"]
    assert member["status"] == 200 and member["names_it"]
    assert member["search"] and member["index"] and member["api"]
    assert "no-store" in member["cache"]
    for visitor in ("anonymous", "non_member"):
        found = seen[visitor]
        assert found["status"] == (302 if visitor == "anonymous" else 403)
        assert not any(found[k] for k in ("names_it", "search", "index", "sitemap", "api",
                                          "home_menu")), (visitor, found)
    assert not member["sitemap"]  # the sitemap is for everyone: never a private page


def test_members_only_files_are_not_under_media_and_are_gated(demo):
    """A public page shows a members-only photo; the dev site's /media/ route (DEBUG)
    reaches none of the members-only files."""
    env, _output = demo
    files = shell_json(env, FILES)
    assert files["page"] == 200
    assert files["src"].startswith("/pledges/files/images/")
    assert files["anonymous"] == 302
    assert files["member_gets_bytes"] is True
    assert all(name.startswith("restricted/") for name in files["names"])
    assert len(files["names"]) >= 5  # photo, its renditions, three guides
    assert not any(n.endswith((".pdf", ".png")) for n in files["under_media"])
    assert files["old_urls"] == [404, 404, 404, 404]
    assert files["guide"] == 302
    assert files["guide_member"] == "%PDF-"
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
