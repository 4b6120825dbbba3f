"""Build the RRN demo site: page tree, media, demo accounts, members and published plans.

Running it twice changes nothing: every object is looked up by a natural key (a page's
slug under its parent, a user's email, an organisation's slug, a document's title in
its collection) and only created when missing. Members are made with the package's own
services (``lifecycle.start_organisation`` → ``submit_plan`` → ``approve`` …), so counts,
history and emails are exactly what real members would leave behind.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Page, Site

from rrn.site import demo_data
from rrn.site.demo_gallery import build_gallery
from rrn.site.demo_pdf import one_page_pdf
from rrn.site.models import ContactSettings, HomePage
from wagtail_pledges import legacy, lifecycle
from wagtail_pledges.conf import pledges_settings
from wagtail_pledges.models import (
    ActionPlan,
    Location,
    MemberProfile,
    Membership,
    Organisation,
    OutboxMessage,
    Pledge,
    Priority,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)
from wagtail_pledges.videos import record_video_progress

PASSWORD = "rrn-demo-2026"  # noqa: S105 - demo accounts only, printed on purpose
EDITOR = "editor@rrn.example"
MEMBER = "member@rrn.example"
ORG_ADMIN = "orgadmin@rrn.example"
MEDIA_DIR = Path(__file__).resolve().parents[2] / "demo_media"

INDIVIDUALS = (
    # email, first, last, strategy slug, action
    ("aisha@rrn.example", "Aisha", "Begum", "workforce",
     "Share what I learnt on my de-escalation course with my whole team."),
    ("gareth@rrn.example", "Gareth", "Lloyd", "involvement",
     "Ask every family I work with what helps their relative feel safe, and write it down."),
    ("marta@rrn.example", "Marta", "Nowak", "data",
     "Look at my unit's restraint records with my manager every month."),
    ("joe@rrn.example", "Joe", "Kerr", "prevention",
     "Make a one-page profile with each young person in my care."),
)


def emails_kept_in_memory():
    """Send this command's emails to Django's memory backend, however the site names its
    mail backend: ``MAILERS`` (Django 6.1) or ``EMAIL_BACKEND``."""
    backend = "django.core.mail.backends.locmem.EmailBackend"
    if hasattr(settings, "MAILERS"):
        return override_settings(MAILERS={**settings.MAILERS, "default": {"BACKEND": backend}})
    return override_settings(EMAIL_BACKEND=backend)


class Command(BaseCommand):
    help = "Build the Restraint Reduction Network demo site (safe to run again)."

    def handle(self, *args, **options):
        outbox_before = OutboxMessage.objects.count()
        # Demo people have .example addresses: their emails are kept in the outbox
        # (Admin → Reports) instead of filling the terminal.
        with emails_kept_in_memory():
            with transaction.atomic():
                home = self.build_site_root()
                self.build_settings(home)
                self.build_editor()
                videos = self.build_videos()
                self.build_member(videos)
                self.build_individuals(videos)
                self.build_organisation()
                self.build_network()
                self.build_steering_group()
                self.build_legacy_signatories()
                resources = self.build_resources()
                self.build_pages(home, videos, resources)
                build_gallery(self.child, home,
                              self.collection("Member photos", members_only=True))
        emails = OutboxMessage.objects.count() - outbox_before
        self.stdout.write(self.style.SUCCESS("RRN demo site ready at http://127.0.0.1:8000/"))
        self.stdout.write(
            f"  Editor / reviewer: {EDITOR} / {PASSWORD}  → http://127.0.0.1:8000/admin/\n"
            f"  Individual member: {MEMBER} / {PASSWORD}  → http://127.0.0.1:8000/pledges/\n"
            f"  Organisation admin: {ORG_ADMIN} / {PASSWORD}  → http://127.0.0.1:8000/pledges/\n"
            f"  {Membership.objects.count()} memberships, "
            f"{ActionPlan.objects.published().count()} published action plans; "
            f"{emails} new demo emails kept in the outbox."
        )

    # -- site root and settings ----------------------------------------------------

    def build_site_root(self) -> HomePage:
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            # The welcome page that Wagtail's migrations create is replaced.
            for page in Page.objects.filter(depth=2).exclude(content_type__model="homepage"):
                page.delete()
            home = HomePage(
                title="Restraint Reduction Network", slug="home",
                seo_title="Restraint Reduction Network",
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
        return home

    def build_settings(self, home):
        site = Site.objects.get(root_page=home)
        contact = ContactSettings.for_site(site)
        if not contact.phone:
            contact.phone = "0121 415 6960"
            contact.email = "network@restraintreductionnetwork.org"
            contact.save()

    # -- media -----------------------------------------------------------------------

    def collection(self, name: str, members_only: bool = False) -> Collection:
        root = Collection.get_first_root_node()
        collection = root.get_children().filter(name=name).first()
        if collection is None:
            collection = root.add_child(name=name)
            if members_only:
                # Wagtail's own collection privacy: only the Members group (kept in
                # step with the membership policy) may download these files.
                members, _ = Group.objects.get_or_create(
                    name=pledges_settings.group_name("members")
                )
                restriction = CollectionViewRestriction.objects.create(
                    collection=collection,
                    restriction_type=CollectionViewRestriction.GROUPS,
                )
                restriction.groups.add(members)
        return collection

    def document(self, collection, title: str, filename: str, content: bytes):
        from wagtail.documents import get_document_model

        Document = get_document_model()
        document = Document.objects.filter(collection=collection, title=title).first()
        if document is None:
            # Given to the constructor, not file.save(): the file is written once, on
            # save, straight to the private storage when the collection is members-only.
            document = Document(title=title, collection=collection,
                                file=ContentFile(content, name=filename))
            document.file_size = len(content)
            document.save()
        return document

    def build_videos(self) -> list[dict]:
        """The two awareness videos (24-second test patterns made with ffmpeg)."""
        collection = self.collection("Awareness videos")
        videos = []
        for number, title in ((1, "What restrictive practice is"),
                              (2, "Why reducing restraint matters")):
            stem = f"awareness-video-{number}"
            video = self.document(collection, f"Awareness video {number}: {title}",
                                  f"{stem}.mp4", (MEDIA_DIR / f"{stem}.mp4").read_bytes())
            captions = self.document(collection, f"Awareness video {number} captions",
                                     f"{stem}.vtt", (MEDIA_DIR / f"{stem}.vtt").read_bytes())
            videos.append({"title": f"{title}", "document": video, "captions": captions,
                           "key": f"doc:{video.pk}"})
        return videos

    def build_resources(self) -> list[dict]:
        collection = self.collection("Member resources", members_only=True)
        resources = []
        for title, slug, summary, paragraphs in demo_data.RESOURCES:
            pdf = self.document(collection, title, f"{slug}.pdf",
                                one_page_pdf(title, paragraphs))
            resources.append({"title": title, "slug": slug, "summary": summary,
                              "paragraphs": paragraphs, "document": pdf})
        return resources

    # -- people ----------------------------------------------------------------------

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

    def editor(self):
        return get_user_model().objects.get(email=EDITOR)

    def watch_videos(self, user, videos):
        """Record both videos as watched, as the player would after a full viewing."""
        from wagtail_pledges.models import VideoProgress

        for video in videos:
            progress = record_video_progress(user, video["key"], 24, 0, 24)
            if progress.completed_at is None:
                # The wall-clock rule needs real time to pass; the demo backdates it.
                VideoProgress.objects.filter(pk=progress.pk).update(
                    first_report_at=timezone.now() - datetime.timedelta(minutes=5),
                    completed_at=timezone.now(),
                )

    def pledge(self, user, videos, strategy: str, action: str, months: int = 6):
        if Pledge.objects.filter(user=user).exists():
            return
        pledge = lifecycle.start_individual(user)
        self.watch_videos(user, videos)
        pledge.action = action
        pledge.strategy = Strategy.objects.get(slug=strategy)
        pledge.target_date = lifecycle.add_months(lifecycle.today(), months)
        pledge.save()
        # The address is verified, so this activates the membership at once.
        lifecycle.submit_pledge(pledge, user)

    def build_member(self, videos):
        member = self.user(MEMBER, first_name="Sam", last_name="Member")
        self.pledge(member, videos, "debriefing",
                    "Introduce a debrief after every incident on my ward.")

    def build_individuals(self, videos):
        for number, (email, first, last, strategy, action) in enumerate(INDIVIDUALS):
            person = self.user(email, first_name=first, last_name=last)
            self.pledge(person, videos, strategy, action, months=4 + 4 * number)

    def build_organisation(self):
        """The organisation admin's own (demo login) organisation."""
        admin = self.user(ORG_ADMIN, first_name="Olu", last_name="Admin")
        if Organisation.objects.filter(slug="northfield-nhs-trust").exists():
            return
        plan = lifecycle.start_organisation(
            admin, name="Northfield NHS Trust", slug="northfield-nhs-trust",
            sector=Sector.objects.get(slug="health"),
            location=Location.objects.get(slug="west-midlands"),
            website="https://northfield.example", size_band="very_large",
        )
        plan.public_summary = (
            "We will halve prone restraint across our inpatient wards in two years, "
            "led by our board and shaped by the people who use our services."
        )
        plan.signoff_name, plan.signoff_role, plan.signoff_confirmed = (
            "Dr A. Patel", "Chief Executive", True,
        )
        plan.practices.set(RestrictivePractice.objects.filter(slug__in=["physical", "chemical"]))
        plan.save()
        for order, (slug, what, measure) in enumerate([
            ("leadership", "Board-level restrictive practice reduction lead",
             "Lead in post; restraint reported to the board every quarter"),
            ("data", "Monthly ward-level restraint data reviewed with staff",
             "50% fewer prone restraints"),
            ("involvement", "Patients and carers on our reducing-restraint group",
             "Two experts by experience on the group, paid for their time"),
        ]):
            Priority.objects.create(
                plan=plan, sort_order=order, what=what,
                strategy=Strategy.objects.get(slug=slug), lead_role="Director of Nursing",
                timescale_months=12, success_measure=measure,
            )
        lifecycle.submit_plan(plan, admin)
        lifecycle.approve(plan, self.editor())
        ProgressUpdate.objects.create(
            plan=plan, author=admin,
            body="Our board appointed a restrictive practice lead in month one.",
        )

    def build_network(self):
        """A dozen organisations with published plans, across sectors and nations."""
        editor = self.editor()
        for org in demo_data.ORGANISATIONS:
            if Organisation.objects.filter(slug=org.slug).exists():
                continue
            admin = self.user(org.admin_email, first_name=org.admin_name[0],
                              last_name=org.admin_name[1])
            plan = lifecycle.start_organisation(
                admin, name=org.name, slug=org.slug,
                sector=Sector.objects.get(slug=org.sector),
                location=Location.objects.get(slug=org.location),
                website=org.website, size_band=org.size_band,
            )
            plan.public_summary = org.summary
            plan.signoff_name, plan.signoff_role = org.signoff
            plan.signoff_confirmed = True
            plan.practices.set(RestrictivePractice.objects.filter(slug__in=org.practices))
            plan.save()
            for order, priority in enumerate(org.priorities):
                Priority.objects.create(
                    plan=plan, sort_order=order, what=priority.what,
                    strategy=Strategy.objects.get(slug=priority.strategy),
                    lead_role=priority.lead_role,
                    timescale_months=priority.timescale_months,
                    success_measure=priority.success_measure,
                )
            lifecycle.submit_plan(plan, admin)
            lifecycle.approve(plan, editor)
            for body in org.updates:
                ProgressUpdate.objects.create(plan=plan, author=admin, body=body)

    def build_steering_group(self):
        group, _ = Group.objects.get_or_create(name=pledges_settings.STEERING_GROUP)
        for email, first, last, joins in demo_data.STEERING_GROUP:
            person = self.user(email, first_name=first, last_name=last)
            group.user_set.add(person)
            if joins:
                self.pledge(person, self.demo_videos(), "leadership",
                            "Make restraint reduction a standing item at every steering "
                            "group meeting.")

    def demo_videos(self):
        return self.build_videos()  # looked up, not created, on every call after the first

    def build_legacy_signatories(self):
        result = legacy.import_signatories(demo_data.LEGACY_CSV)
        if result.errors:
            raise ValueError("; ".join(result.errors))

    # -- pages -----------------------------------------------------------------------

    def child(self, parent: Page, page: Page) -> Page:
        """``page`` added under ``parent`` and published, unless that slug is taken."""
        existing = parent.get_children().filter(slug=page.slug).first()
        if existing is not None:
            return existing.specific
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    def build_pages(self, home, videos, resources):
        from rrn.site import demo_pages

        demo_pages.build(self.child, home, videos, resources)
