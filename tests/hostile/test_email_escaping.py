"""Issue 10: user text goes into HTML emails escaped; text parts stay plain."""

import datetime
import pathlib

import pytest
from django.urls import reverse

from tests import factories
from wagtail_pledges import lifecycle
from wagtail_pledges.models import Organisation, OutboxMessage
from wagtail_pledges.notifications.outbox import TEMPLATE_DIR, render_email

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert(1)</script><a href="https://evil.example">click</a>&amp;'
EMAIL_DIR = (pathlib.Path(__file__).parents[2] / "src/wagtail_pledges/templates" / TEMPLATE_DIR)


def assert_escaped(message):
    assert "<script>" not in message.render().html
    assert 'href="https://evil.example"' not in message.render().html
    assert "&lt;script&gt;" in message.render().html
    assert HOSTILE in message.render().text  # the text part is plain: verbatim, not entities


def hostile_plan(reviewer):
    plan = factories.complete_plan(factories.draft_plan())
    Organisation.objects.filter(pk=plan.organisation_id).update(name=HOSTILE)
    plan.organisation.name = HOSTILE
    return plan


def test_plan_received_escapes_the_organisation_name(reviewer):
    plan = hostile_plan(reviewer)
    lifecycle.submit_plan(plan, plan.created_by)
    assert_escaped(OutboxMessage.objects.get(template="plan_submitted"))


@pytest.mark.parametrize("decision", ["request_changes", "decline"])
def test_reviewer_text_is_escaped(reviewer, decision):
    plan = hostile_plan(reviewer)
    lifecycle.submit_plan(plan, plan.created_by)
    getattr(lifecycle, decision)(plan, reviewer, HOSTILE)
    template = "changes_requested" if decision == "request_changes" else "declined"
    assert_escaped(OutboxMessage.objects.get(template=template))


def test_staff_invitation_through_the_dashboard_escapes_the_name(client):
    plan = factories.draft_plan()
    Organisation.objects.filter(pk=plan.organisation_id).update(name=HOSTILE)
    client.force_login(plan.created_by)
    org = plan.organisation_id
    response = client.post(reverse("wagtail_pledges:invite_staff", args=[org]), {
        f"invite-{org}-email": "stranger@example.net", f"invite-{org}-role": "staff",
    })
    assert response.status_code == 302
    message = OutboxMessage.objects.get(template="staff_invitation")
    assert_escaped(message)
    # Our own link is still a link.
    assert '<a href="http://testserver/pledges/invitation/' in message.render().html


@pytest.mark.parametrize("path", sorted(p.name for p in EMAIL_DIR.glob("*_subject.txt")))
def test_every_email_escapes_every_value(path):
    """Every template, with every value it might print set to hostile text."""

    class Hostile(str):
        """Stands in for any object: every attribute is the hostile text again."""

        def __getattr__(self, name):
            if name in ("period_start", "period_end", "target_date"):
                return datetime.date(2026, 1, 1)
            return Hostile(HOSTILE)

    template = path.removesuffix("_subject.txt")
    context = {k: Hostile(HOSTILE) for k in (
        "site_name", "subject_name", "commitment", "membership", "organisation",
        "inviter", "signatory", "user", "kind", "recipient", "hours")}
    context["days"] = 30  # a count the code computes ({% plural %} needs a number)
    context.update(dashboard_url="http://testserver/pledges/",
                   confirm_url="http://testserver/c/", accept_url="http://testserver/a/",
                   claim_url="http://testserver/l/", review_url="http://testserver/r/")
    subject, text, html = render_email(template, context)
    assert "<script>" not in html and "evil.example\">" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;" not in text and "&lt;" not in subject
