"""Build the RRN demo site: page tree, demo accounts, members and published plans.

Running it twice changes nothing: every object is looked up by a natural key first.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from rrn.site.models import ContactSettings, HomePage, StandardPage
from wagtail_pledges import lifecycle
from wagtail_pledges.conf import pledges_settings
from wagtail_pledges.models import (
    ActionPlan,
    MemberProfile,
    Organisation,
    Pledge,
    Priority,
    ReviewStatus,
    Sector,
    Strategy,
)
from wagtail_pledges.videos import record_video_progress

PASSWORD = "rrn-demo-2026"  # noqa: S105 - demo accounts only, printed on purpose
EDITOR = "editor@rrn.example"
MEMBER = "member@rrn.example"
ORG_ADMIN = "orgadmin@rrn.example"


class Command(BaseCommand):
    help = "Build the Restraint Reduction Network demo site (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            home = self.build_pages()
            self.build_settings(home)
            self.build_editor()
            self.build_member()
            self.build_organisation()
        self.stdout.write(self.style.SUCCESS("RRN demo site ready at http://127.0.0.1:8000/"))
        self.stdout.write(
            f"  Editor / reviewer: {EDITOR} / {PASSWORD}  → http://127.0.0.1:8000/admin/\n"
            f"  Individual member: {MEMBER} / {PASSWORD}  → http://127.0.0.1:8000/pledges/\n"
            f"  Organisation admin: {ORG_ADMIN} / {PASSWORD}  → http://127.0.0.1:8000/pledges/"
        )

    # -- pages ----------------------------------------------------------------

    def build_pages(self) -> HomePage:
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            # The welcome page that `wagtail start` / migrations create is replaced.
            for page in Page.objects.filter(depth=2).exclude(
                content_type__model="homepage"
            ):
                page.delete()
            home = HomePage(
                title="Restraint Reduction Network",
                slug="home",
                intro=(
                    "A network of organisations and people committed to reducing "
                    "restrictive practices in health, education and social care."
                ),
            )
            root.add_child(instance=home)
            home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="localhost", port=8000, root_page=home,
                                is_default_site=True, site_name="Restraint Reduction Network")
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = "Restraint Reduction Network"
            site.save()
        if not StandardPage.objects.filter(slug="about").exists():
            about = StandardPage(
                title="About the network", slug="about",
                intro="The Restraint Reduction Network brings together people and "
                "organisations working to reduce restrictive practices.",
            )
            home.add_child(instance=about)
            about.save_revision().publish()
        return home

    def build_settings(self, home):
        site = Site.objects.get(root_page=home)
        contact = ContactSettings.for_site(site)
        if not contact.phone:
            contact.phone = "0121 415 6960"
            contact.email = "network@restraintreductionnetwork.org"
            contact.save()

    # -- people -----------------------------------------------------------------

    def user(self, email, **extra):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            fields = {"email": email, **extra}
            if "username" in {f.name for f in User._meta.get_fields()}:
                fields["username"] = email
            user = User(**fields)
            user.set_password(PASSWORD)
            user.save()
            self.verify(user)
        return user

    def verify(self, user):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        MemberProfile.objects.get_or_create(user=user)

    def build_editor(self):
        editor = self.user(EDITOR, first_name="Rosa", last_name="Reviewer", is_staff=True)
        reviewers, _ = Group.objects.get_or_create(name=pledges_settings.REVIEWER_GROUP)
        editors = Group.objects.filter(name="Editors").first()
        if editors:
            editor.groups.add(editors)
        reviewers.permissions.add(Permission.objects.get(codename="review_membership"))
        editor.groups.add(reviewers)
        return editor

    def build_member(self):
        member = self.user(MEMBER, first_name="Sam", last_name="Member")
        if Pledge.objects.filter(user=member).exists():
            return
        pledge = lifecycle.start_individual(member)
        if pledge.review_status != ReviewStatus.DRAFT:
            return
        self.watch_videos(member)
        pledge.action = "Introduce a debrief after every incident on my ward."
        pledge.strategy = Strategy.objects.get(slug="debriefing")
        pledge.target_date = lifecycle.today() + datetime.timedelta(days=180)
        pledge.save()
        lifecycle.submit_pledge(pledge, member)

    def watch_videos(self, user):
        from django.utils import timezone

        from wagtail_pledges.models import VideoProgress

        for key in ("demo-video-1", "demo-video-2"):
            progress = record_video_progress(user, key, 60, 0, 60)
            if progress.completed_at is None:
                VideoProgress.objects.filter(pk=progress.pk).update(
                    first_report_at=timezone.now() - datetime.timedelta(minutes=5),
                    completed_at=timezone.now(),
                )

    def build_organisation(self):
        admin = self.user(ORG_ADMIN, first_name="Olu", last_name="Admin")
        organisation = Organisation.objects.filter(slug="northfield-nhs-trust").first()
        plan = lifecycle.start_organisation(
            admin, organisation=organisation, name="Northfield NHS Trust",
            slug="northfield-nhs-trust", sector=Sector.objects.get(slug="health"),
            region="West Midlands", country="United Kingdom",
            website="https://northfield.example", size_band="very_large",
        ) if organisation is None else ActionPlan.objects.filter(organisation=organisation).first()
        if plan is None or plan.review_status != ReviewStatus.DRAFT:
            return
        plan.public_summary = (
            "We will halve prone restraint across our inpatient wards in two years, "
            "led by our board and shaped by the people who use our services."
        )
        plan.signoff_name, plan.signoff_role, plan.signoff_confirmed = (
            "Dr A. Patel", "Chief Executive", True,
        )
        plan.save()
        for order, (slug, what) in enumerate([
            ("leadership", "Board-level restrictive practice reduction lead"),
            ("data", "Monthly ward-level restraint data reviewed with staff"),
        ]):
            Priority.objects.create(
                plan=plan, sort_order=order, what=what,
                strategy=Strategy.objects.get(slug=slug), lead_role="Director of Nursing",
                timescale_months=12, success_measure="50% fewer prone restraints",
            )
        lifecycle.submit_plan(plan, admin)
        editor = get_user_model().objects.get(email=EDITOR)
        lifecycle.approve(plan, editor)
