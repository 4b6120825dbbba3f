"""The demo site's page tree and what each page says.

``build(child, home, videos, resources)`` adds each page under its parent with
``child(parent, page)``, which leaves a page alone when its slug is already taken —
so editors' changes survive a second run and nothing is duplicated.
"""

from __future__ import annotations

import json

from django.utils.formats import date_format

from rrn.site.models import HomePage, StandardPage
from wagtail_pledges.conf import pledges_settings


def stream(*blocks: tuple[str, object]) -> str:
    """StreamField raw data from ``(block type, value)`` pairs."""
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def html(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def bullets(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def membership_is_changing() -> str:
    """The "Membership is changing" page body, with the LEGACY_DEADLINE of this site."""
    deadline = pledges_settings.legacy_deadline
    when = f"by <b>{date_format(deadline, 'j F Y')}</b>" if deadline else "soon"
    return stream(*_membership_is_changing(when))


def _membership_is_changing(when: str) -> tuple:
    return (
        ("paragraph", html(
            "The Restraint Reduction Network pledge opened in <b>June 2014</b>. In its first "
            "five years <b>1,613 individuals</b> and <b>375 organisations</b> signed it. "
            "Thank you: that pledge built the network.",
            "Signing a pledge says what you believe. We now ask every member to say what they "
            "will <i>do</i>. Membership moves from “sign a pledge” to “commit to actions”: "
            "each member sets out the actions they will take over the next <b>two years</b> "
            "to reduce restrictive practice. Membership is still <b>free</b>.",
        )),
        ("heading", "If you join as an individual"),
        ("paragraph", html(
            "Watch our <b>two short awareness videos</b>, then commit to <b>one action</b> you "
            "will take in your own work. Confirm your email address and you are a member."
        ) + bullets(
            "Exclusive resources for members",
            "An online forum for members — coming soon (planned for summer 2020)",
            "A supportive community of people working to reduce restraint",
        )),
        ("heading", "If you join as an organisation"),
        ("paragraph", html(
            "Send us an <b>action plan</b>: your priorities for reducing restraint over the "
            "next two years. Many organisations build their plan around the <b>Six Core "
            "Strategies</b> — leadership towards organisational change, using data to "
            "inform practice, workforce development, use of prevention tools, involving "
            "people who use services and families, and debriefing. A senior leader signs "
            "the plan off. The RRN <b>reviews</b> it and <b>publishes</b> it on this website.",
        ) + bullets(
            "Everything individual members get: resources, the forum (coming soon), "
            "the community",
            "Permission to show the <b>RRN member logo</b> on your website",
        )),
        ("heading", "If you signed the original pledge"),
        ("paragraph", html(
            "Organisations that signed the original pledge need to move to the new model "
            f"{when}. After that date an "
            "organisation that has not sent us an action plan is no longer a member. "
            "Individuals who signed can join again in a few minutes.",
            "Lost the email we sent you? <a href=\"/pledges/claim/\">Ask for a new link</a>.",
            "Every member of the RRN <b>steering group</b> must also become a member, "
            "as an individual or through their organisation.",
        )),
        ("heading", "Questions?"),
        ("paragraph", html(
            "Call us on <a href=\"tel:01214156960\">0121 415 6960</a> or email "
            "<a href=\"mailto:network@restraintreductionnetwork.org\">"
            "network@restraintreductionnetwork.org</a>.",
        )),
    )


HOME_BODY = stream(
    ("paragraph", html(
        "Restrictive practices — physical, mechanical and chemical restraint, and "
        "seclusion — harm the people they are used on and the people who use them. "
        "Most can be prevented. Our members commit to actions that make that happen.",
    )),
    ("call_to_action", {"individual_page": None, "organisation_page": None}),
    ("live_counts", {"heading": "The network today", "show_individuals": True,
                     "show_organisations": True, "show_plans": True, "show_baseline": True}),
    ("quote", "Membership is changing: from signing a pledge to committing to actions. "
              "It is still free to join."),
)


def build(child, home: HomePage, videos: list[dict], resources: list[dict]) -> None:
    if not home.body:
        home.body = HOME_BODY
        home.save_revision().publish()

    child(home, StandardPage(
        title="Membership is changing", slug="membership-is-changing", show_in_menus=True,
        search_description="From signing a pledge to committing to actions: what it "
                           "means for individuals, organisations and original signatories.",
        intro="From signing a pledge to committing to actions: what it means for you.",
        body=membership_is_changing(),
    ))
    _build_pledge_pages(child, home, videos, resources)
    child(home, StandardPage(
        title="About the network", slug="about", show_in_menus=True,
        search_description="Who we are and how the network works.",
        intro="The Restraint Reduction Network brings together people and organisations "
              "working to reduce restrictive practices.",
        body=stream(("paragraph", html(
            "We are a network of health, education and social care providers, people who "
            "use services, families, commissioners and trainers. Our members share what "
            "works and hold each other to the actions they commit to."
        ))),
    ))


def _build_pledge_pages(child, home, videos, resources) -> None:
    """Pages from the opt-in ``wagtail_pledges.pages`` app."""
    from wagtail_pledges.pages.models import (
        IndividualPledgePage,
        MembershipPage,
        OrganisationPledgePage,
        PlansIndexPage,
        ResourceIndexPage,
        ResourcePage,
    )

    membership = child(home, MembershipPage(
        title="Join the network", slug="membership", show_in_menus=True,
        search_description="Free membership for individuals and organisations: what you "
                           "do to join and what you get.",
        intro=html(
            "Membership of the Restraint Reduction Network is <b>free</b>. Every member "
            "commits to actions that reduce restrictive practice over the next two years."
        ),
        individual_summary=html(
            "Watch two short awareness videos, then commit to one action you will take "
            "in your own work. You get exclusive resources, the members' forum (coming "
            "soon) and a supportive community."
        ),
        organisation_summary=html(
            "Send us an action plan of your priorities, often built on the Six Core "
            "Strategies and signed off by a senior leader. We review it and publish it "
            "here. You get everything individual members get, plus permission to show "
            "the RRN member logo on your website."
        ),
        show_counts=True,
        body=stream(
            ("paragraph", html(
                "Signed the original pledge? Read <a href=\"/membership-is-changing/\">"
                "how membership is changing</a>: organisations need to move to the new "
                "model by the end of summer 2020."
            )),
        ),
    ))
    individual = child(membership, IndividualPledgePage(
        title="Join as an individual", slug="individual",
        intro=html(
            "Three steps, about ten minutes: watch two short awareness videos, commit to "
            "one action, and confirm your email address."
        ),
        videos=stream(*[
            ("video", {"title": video["title"], "document": video["document"].pk,
                       "video_url": "", "captions": video["captions"].pk,
                       "transcript": html(*_transcript(video["captions"]))})
            for video in videos
        ]),
        commit_intro=html(
            "Choose one thing you will do in the next two years. Good actions are "
            "specific and within your reach — for example: “Hold a debrief with the "
            "person and the team after every incident on my ward”, or “Ask each family "
            "what helps their relative feel safe, and write it into their plan”."
        ),
        done_text=html(
            "Thank you for joining. You can now open the <a href=\"/resources/\">member "
            "resources</a>. We will write to you when the members' forum opens."
        ),
    ))
    organisation = child(membership, OrganisationPledgePage(
        title="Join as an organisation", slug="organisation",
        intro=html(
            "Tell us about your organisation, write your action plan, ask a senior leader "
            "to sign it off, and send it to us. We review every plan and publish it on "
            "this website."
        ),
        plan_intro=html(
            "Choose two to four priorities you will deliver over the next two years. "
            "Many organisations use the Six Core Strategies: leadership towards "
            "organisational change; using data to inform practice; workforce "
            "development; use of prevention tools; involving people who use services "
            "and families; debriefing."
        ),
        signoff_intro=html(
            "A senior leader — a chief executive, director or headteacher — must approve "
            "the plan before you send it."
        ),
        done_text=html(
            "Thank you. We read every plan and will reply within four weeks. Once it is "
            "approved your plan is published in the <a href=\"/action-plans/\">members' "
            "action plans</a> and you may show the RRN member logo."
        ),
    ))
    if membership.individual_pledge_page_id is None:
        membership.individual_pledge_page = individual
        membership.organisation_pledge_page = organisation
        membership.save_revision().publish()

    child(home, PlansIndexPage(
        title="Members' action plans", slug="action-plans", show_in_menus=True,
        search_description="Every organisation member's published action plan, with "
                           "filters by sector, region, strategy and practice.",
        intro=html(
            "Every organisation member's action plan, as approved by the Restraint "
            "Reduction Network. Filter by sector, region, strategy or the restrictive "
            "practice a plan targets."
        ),
    ))

    index = child(home, ResourceIndexPage(
        title="Member resources", slug="resources", show_in_menus=True,
        search_description="Guides and tools on the Six Core Strategies, action plans "
                           "and debriefing.",
        intro=html("Guides and tools for members. Anyone can read the summaries of most "
                   "of them; the documents, and some resources, are for members."),
    ))
    for resource in resources:
        child(index, ResourcePage(
            title=resource["title"], slug=resource["slug"], summary=resource["summary"],
            body=stream(
                ("members_only", {
                    "teaser": html("Members can read the full guide and download it as a "
                                   "PDF. Joining is free."),
                    "content": [
                        {"type": "paragraph", "value": bullets(*resource["paragraphs"])},
                        {"type": "document", "value": resource["document"].pk},
                    ],
                }),
            ),
        ))
    _build_private_resource(child, index, resources)


PRIVATE_RESOURCE_SLUG = "members-case-studies"


def _build_private_resource(child, index, resources) -> None:
    """A private page: only members see it, or even its title, anywhere on the site."""
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from wagtail_pledges.conf import pledges_settings
    from wagtail_pledges.pages.models import ResourcePage

    created = not index.get_children().filter(slug=PRIVATE_RESOURCE_SLUG).exists()
    page = child(index, ResourcePage(
        title="Members' case studies: what reduced restraint",
        slug=PRIVATE_RESOURCE_SLUG,
        summary="Three member organisations describe what worked, with their numbers.",
        body=stream(
            ("paragraph", html(
                "A mental health ward halved prone restraint in a year by debriefing after "
                "every incident and reviewing the data with staff each month.",
                "A special school stopped using seclusion after it involved pupils and "
                "families in rewriting its behaviour support plans.",
                "A care home reduced as-needed sedation by agreeing non-drug responses "
                "to distress with each resident's family and GP.",
            )),
            ("document", resources[0]["document"].pk),
        ),
    ))
    if created:
        # Only on creation: an editor who later changes the privacy keeps their choice.
        members, _ = Group.objects.get_or_create(name=pledges_settings.group_name("members"))
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS,
        )
        restriction.groups.add(members)


def _transcript(captions) -> list[str]:
    """The caption cues' text, as the video's transcript."""
    with captions.file.open("rb") as handle:
        text = handle.read().decode()
    return [line for line in text.splitlines()[1:]
            if line and "-->" not in line]
