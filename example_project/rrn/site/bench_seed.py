"""Seed benchmark volumes: N individual members and M organisations with approved plans.

Going through the lifecycle costs about 0.67 s per organisation (revisions, a
workflow, emails); benchmark volumes need 110,000 members in under a minute. So this
writes, in bulk and in one transaction, the rows the lifecycle leaves behind for a
member who joined and was approved today:

* a user (one shared password hash), a verified ``MemberProfile``;
* individuals: two watched awareness videos and an approved, live ``Pledge``;
* organisations: the ``Organisation`` (region and country copied from its location,
  as ``save()`` does), its admin's ``OrganisationRole``, an approved, live
  ``ActionPlan`` with priorities and practices, and the published ``Revision`` the
  reviewer's approval records;
* an active ``Membership`` with its period, and its ``start`` → ``submit`` →
  ``approve`` ``LifecycleEvent`` rows;
* the managed groups, in one bulk insert into the user–group table;
* the counters, moved through :mod:`wagtail_pledges.counts` (and the directory
  version bumped), so ``pledges_recount`` finds nothing to repair.

On PostgreSQL the written tables are then vacuumed and analysed, as autovacuum would
soon do on a real server (a benchmark's may have it off): the planner needs the
statistics, and the full-text indexes their pending lists merged.

Deliberately not written: outbox emails (nobody should be welcomed 110,000 times),
review workflow states (a seeded plan was never in review) and Wagtail's reference
index (derived data: ``manage.py rebuild_references_index`` rebuilds it).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.crypto import get_random_string
from wagtail.models import Revision

from rrn.site.bulk_rows import BulkWriter
from wagtail_pledges import counts
from wagtail_pledges.groups import TIER_GROUP_KEYS, managed_groups
from wagtail_pledges.lifecycle import period_for, today
from wagtail_pledges.models import (
    ActionPlan,
    LifecycleEvent,
    Location,
    MemberProfile,
    Membership,
    Organisation,
    OrganisationRole,
    Pledge,
    Priority,
    RestrictivePractice,
    ReviewStatus,
    Sector,
    Status,
    Strategy,
    Tier,
    VideoProgress,
)

PASSWORD = "bench-password"  # noqa: S105 - benchmark accounts only, printed on purpose
PRIORITIES_PER_PLAN = 3
DEFAULT_VIDEO_KEYS = ("video-1", "video-2")


@dataclass
class SeedResult:
    """What was written, and how long each step took (seconds)."""

    prefix: str
    individuals: int = 0
    organisations: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    individual_emails: list[str] = field(default_factory=list)
    admin_emails: list[str] = field(default_factory=list)
    organisation_slugs: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def seed(individuals: int, organisations: int, *, prefix: str | None = None,
         video_keys: Sequence[str] = DEFAULT_VIDEO_KEYS,
         progress: Callable[[str], None] | None = None) -> SeedResult:
    """Create ``individuals`` active individual members and ``organisations`` active
    organisation members with approved, published plans. All or nothing.

    ``prefix`` makes emails and slugs unique to this run (random by default), so a
    second run adds members beside the first. Needs the taxonomies (strategies,
    sectors, locations) a migrated site has.
    """
    progress = progress or (lambda message: None)
    with transaction.atomic():
        seeder = _Seeder(prefix or get_random_string(6, "abcdefghijklmnopqrstuvwxyz"),
                         video_keys, progress)
        seeder.individuals(individuals)
        seeder.organisations(organisations)
        seeder.counters(individuals, organisations)
        start = time.perf_counter()
    # On PostgreSQL, Django's foreign keys are checked at COMMIT (DEFERRABLE INITIALLY
    # DEFERRED): a large share of the time, so it is shown as a step of its own.
    elapsed = time.perf_counter() - start
    seeder.result.timings["commit"] = elapsed
    progress(f"commit (foreign keys checked): {elapsed:.1f} s")
    _analyze(seeder.result, progress)
    return seeder.result


def joiners(count: int, *, prefix: str | None = None,
            video_keys: Sequence[str] = DEFAULT_VIDEO_KEYS,
            progress: Callable[[str], None] | None = None) -> SeedResult:
    """``count`` people one step from membership: verified, videos watched, a draft
    pledge to submit (``result.individual_emails``). All or nothing; the benchmark's
    submitters (as ``lifecycle.start_individual`` would leave them, in bulk)."""
    with transaction.atomic():
        seeder = _Seeder(prefix or get_random_string(6, "abcdefghijklmnopqrstuvwxyz"),
                         video_keys, progress or (lambda message: None))
        seeder.joiners(count)
    return seeder.result


def _analyze(result: SeedResult, progress) -> None:
    """PostgreSQL: vacuum and analyse the tables just written, as autovacuum would.

    A production server's autovacuum does this soon after such a load; a benchmark
    server may run without it. Then the planner has no statistics (it guesses a few
    rows per table and picks plans no real site would run), every row written since
    the full-text indexes were made waits in their pending lists (each search reads
    them all), and no index-only scan is possible (no visibility map).
    """
    if connection.vendor != "postgresql":
        return
    start = time.perf_counter()
    tables = sorted({apps.get_model(label)._meta.db_table for label in result.rows})
    # VACUUM cannot run inside a transaction (a test's, say): then statistics only.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")
    elapsed = time.perf_counter() - start
    result.timings["analyze"] = elapsed
    progress(f"{command.lower()}: {elapsed:.1f} s")


class _Seeder:
    def __init__(self, prefix: str, video_keys: Sequence[str], progress):
        self.writer = BulkWriter()
        self.now = self.writer.now
        self.today = today()
        self.period = period_for(self.today)
        self.result = SeedResult(prefix=prefix)
        self.video_keys = list(video_keys)
        self.progress = progress
        self.password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.groups = managed_groups()
        self.strategies = itertools.cycle(Strategy.objects.values_list("pk", flat=True))
        self.sectors = itertools.cycle(Sector.objects.values_list("pk", flat=True))
        self.practices = list(RestrictivePractice.objects.values_list("pk", flat=True))
        self.locations = itertools.cycle([
            (loc.pk, loc.name if loc.parent_id else "", loc.country.name)
            for loc in Location.objects.with_country()
        ])
        if not self.practices:
            raise ValueError("No taxonomies: migrate the database first.")

    # -- steps ---------------------------------------------------------------------

    def _timed(self, label: str, model, columns, rows) -> list:
        start = time.perf_counter()
        written = self.writer.write(model, columns, rows)
        elapsed = time.perf_counter() - start
        self.result.rows[model._meta.label] = self.result.rows.get(model._meta.label, 0) + written
        self.result.timings[label] = self.result.timings.get(label, 0) + elapsed
        self.progress(f"{label}: {written} rows in {elapsed:.1f} s")

    def _users(self, emails: list[str]) -> list[int]:
        User = get_user_model()
        ids = self.writer.reserve_ids(User, len(emails))
        username = User.USERNAME_FIELD
        columns = ["id", username, "password", "is_active", "last_login"]
        extra = []
        if username != "email" and any(f.name == "email" for f in User._meta.concrete_fields):
            extra = ["email"]
        self._timed("users", User, [*columns, *extra], (
            (pk, email, self.password, True, None, *([email] if extra else []))
            for pk, email in zip(ids, emails, strict=True)
        ))
        self._timed("member profiles", MemberProfile, ["user_id", "email_verified_at"],
                    ((pk, self.now) for pk in ids))
        return ids

    def _memberships(self, tier: str, subject: str, subject_ids: list[int]) -> list[int]:
        ids = self.writer.reserve_ids(Membership, len(subject_ids))
        start, end = self.period
        self._timed("memberships", Membership, [
            "id", "tier", "status", subject, "period_start", "period_end", "reminders_sent",
            "created_at", "status_changed_at",
        ], (
            (pk, tier, Status.ACTIVE, sid, start, end, [], self.now, self.now)
            for pk, sid in zip(ids, subject_ids, strict=True)
        ))
        return ids

    def _events(self, memberships: list[int], actors: list[int], commitments: list[int],
                approver: int | None, reason: str) -> None:
        """start → submit → approve, as the lifecycle logs a member who was approved."""
        end = self.period[1].isoformat()

        def rows():
            for membership, actor, commitment in zip(memberships, actors, commitments,
                                                     strict=True):
                yield (membership, "start", "", Status.DRAFT, actor, "", {}, self.now)
                data = {"commitment": commitment, "sequence": 1}
                yield (membership, "submit", Status.DRAFT, Status.SUBMITTED, actor, "", data,
                       self.now)
                yield (membership, "approve", Status.SUBMITTED, Status.ACTIVE, approver,
                       reason, {**data, "period_end": end}, self.now)

        self._timed("lifecycle events", LifecycleEvent, [
            "membership_id", "action", "from_status", "to_status", "actor_id", "reason",
            "data", "created_at",
        ], rows())

    def _groups(self, user_ids: list[int], tier: str) -> None:
        """The managed groups the policy gives an active member of ``tier``."""
        through = get_user_model().groups.through
        group_ids = [self.groups["members"].pk, self.groups[TIER_GROUP_KEYS[tier]].pk]
        user_column = through._meta.get_field(
            get_user_model()._meta.model_name).attname
        self._timed("group memberships", through, [user_column, "group_id"], (
            (user, group) for user in user_ids for group in group_ids
        ))

    def individuals(self, count: int) -> None:
        if not count:
            return
        prefix = self.result.prefix
        emails = [f"member-{prefix}-{n}@bench.example" for n in range(count)]
        users = self._users(emails)
        memberships = self._memberships(Tier.INDIVIDUAL, "user_id", users)
        self._watched(users)
        pledges = self.writer.reserve_ids(Pledge, count)
        start, end = self.period
        self._timed("pledges", Pledge, [
            "id", "membership_id", "user_id", "sequence", "review_status", "live",
            "has_unpublished_changes", "first_published_at", "last_published_at",
            "submitted_at", "decided_at", "period_start", "period_end", "action",
            "strategy_id", "target_date", "created_at",
        ], (
            (pk, membership, user, 1, ReviewStatus.APPROVED, True, False, self.now, self.now,
             self.now, self.now, start, end, "Hold a debrief after every incident.",
             next(self.strategies), end, self.now)
            for pk, membership, user in zip(pledges, memberships, users, strict=True)
        ))
        # Self-service pledges are approved by the system once the email is verified.
        self._events(memberships, users, pledges, None, "Email address verified")
        self._groups(users, Tier.INDIVIDUAL)
        self.result.individuals = count
        self.result.individual_emails = emails

    def _watched(self, users: list[int]) -> None:
        """Each of ``users`` has watched every awareness video to the end."""
        duration = 120.0
        self._timed("watched videos", VideoProgress, [
            "user_id", "video_key", "duration", "watched", "position", "first_report_at",
            "last_report_at", "completed_at",
        ], (
            (user, key, duration, [[0, duration]], duration, self.now, self.now, self.now)
            for user in users for key in self.video_keys
        ))

    def joiners(self, count: int) -> None:
        """What ``lifecycle.start_individual`` leaves for a verified person who has
        watched the videos: a draft membership (its ``start`` event, the draft
        counter) and an empty draft pledge. Each can submit that pledge once."""
        prefix = self.result.prefix
        emails = [f"joiner-{prefix}-{n}@bench.example" for n in range(count)]
        users = self._users(emails)
        memberships = self.writer.reserve_ids(Membership, count)
        self._timed("memberships", Membership, ["id", "tier", "status", "user_id"], (
            (pk, Tier.INDIVIDUAL, Status.DRAFT, user)
            for pk, user in zip(memberships, users, strict=True)))
        self._watched(users)
        self._timed("pledges", Pledge, ["membership_id", "user_id", "sequence", "live"], (
            (membership, user, 1, False)
            for membership, user in zip(memberships, users, strict=True)))
        self._timed("lifecycle events", LifecycleEvent, [
            "membership_id", "action", "from_status", "to_status", "actor_id", "reason",
            "data", "created_at",
        ], ((membership, "start", "", Status.DRAFT, user, "", {}, self.now)
            for membership, user in zip(memberships, users, strict=True)))
        counts.add(counts.membership_key(Tier.INDIVIDUAL, Status.DRAFT), count)
        self.result.individual_emails = emails

    def organisations(self, count: int) -> None:
        if not count:
            return
        prefix = self.result.prefix
        admins = self._users([f"admin-{prefix}-{n}@bench.example" for n in range(count)])
        orgs = self.writer.reserve_ids(Organisation, count)
        slugs = [f"bench-{prefix}-trust-{n}" for n in range(count)]
        names = [f"Bench {prefix} Trust {n}" for n in range(count)]

        def org_rows():
            for pk, name, slug in zip(orgs, names, slugs, strict=True):
                location, region, country = next(self.locations)
                yield (pk, name, slug, next(self.sectors), location,
                       region, country, f"https://{slug}.example", "medium", self.now)

        self._timed("organisations", Organisation, [
            "id", "name", "slug", "sector_id", "location_id", "region", "country", "website",
            "size_band", "created_at",
        ], org_rows())
        self._timed("organisation roles", OrganisationRole, [
            "organisation_id", "user_id", "role", "created_at",
        ], ((org, admin, OrganisationRole.Role.ADMIN, self.now)
            for org, admin in zip(orgs, admins, strict=True)))
        memberships = self._memberships(Tier.ORGANISATION, "organisation_id", orgs)
        plans = self._plans(orgs, names, admins, memberships)
        # Plans are always reviewed; a seeded plan has no reviewer, as when the system acts.
        self._events(memberships, admins, plans, None, "")
        self._groups(admins, Tier.ORGANISATION)
        self.result.organisations = count
        self.result.admin_emails = [f"admin-{prefix}-{n}@bench.example" for n in range(count)]
        self.result.organisation_slugs = slugs

    def _plans(self, orgs, names, admins, memberships) -> list[int]:
        count = len(orgs)
        plans = self.writer.reserve_ids(ActionPlan, count)
        revisions = self.writer.reserve_ids(Revision, count)
        priorities = self.writer.reserve_ids(Priority, count * PRIORITIES_PER_PLAN)
        start, end = self.period
        summary = "We will reduce restrictive practice across every service we run."
        plan_fields = {
            "sequence": 1, "review_status": ReviewStatus.APPROVED, "live": True,
            "has_unpublished_changes": False, "public_summary": summary,
            "signoff_name": "Dr Jane Doe", "signoff_role": "Chief Executive",
            "signoff_confirmed": True, "period_start": start, "period_end": end,
        }
        plan_rows, priority_rows, practice_rows, revision_rows = [], [], [], []
        content_type = ContentType.objects.get_for_model(ActionPlan)
        stamp = self.now.isoformat()
        for n, (pk, org, name, admin, membership, revision) in enumerate(
                zip(plans, orgs, names, admins, memberships, revisions, strict=True)):
            plan_rows.append((pk, membership, org, name, admin, revision, revision, self.now,
                              self.now, self.now, self.now, self.now,
                              *plan_fields.values()))
            mine = priorities[n * PRIORITIES_PER_PLAN:(n + 1) * PRIORITIES_PER_PLAN]
            chosen = []
            for order, priority in enumerate(mine):
                row = (priority, pk, order, f"Priority {order + 1} of plan {n}",
                       next(self.strategies), "Director of Nursing", 12,
                       "Fewer incidents each quarter")
                priority_rows.append(row)
                chosen.append(row)
            practices = [self.practices[n % len(self.practices)]]
            practice_rows.extend((pk, practice) for practice in practices)
            revision_rows.append((revision, content_type.pk, content_type.pk, str(pk),
                                  self.now, None, f"{name} action plan (1)",
                                  _revision_content(pk, org, name, admin, membership, stamp,
                                                    plan_fields, chosen, practices)))
        self._timed("action plans", ActionPlan, [
            "id", "membership_id", "organisation_id", "organisation_name", "created_by_id",
            "latest_revision_id",
            "live_revision_id", "first_published_at", "last_published_at", "created_at",
            "submitted_at", "decided_at", *plan_fields,
        ], plan_rows)
        self._timed("revisions", Revision, [
            "id", "content_type_id", "base_content_type_id", "object_id", "created_at",
            "user_id", "object_str", "content",
        ], revision_rows)
        self._timed("priorities", Priority, [
            "id", "plan_id", "sort_order", "what", "strategy_id", "lead_role",
            "timescale_months", "success_measure",
        ], priority_rows)
        self._timed("plan practices", ActionPlan.practices.through,
                    ["actionplan_id", "restrictivepractice_id"], practice_rows)
        return plans

    def counters(self, individuals: int, organisations: int) -> None:
        """Move the counters as the lifecycle's transitions would have, in this transaction."""
        counts.add(counts.membership_key(Tier.INDIVIDUAL, Status.ACTIVE), individuals)
        counts.add(counts.membership_key(Tier.ORGANISATION, Status.ACTIVE), organisations)
        counts.add(counts.PLANS_PUBLISHED, organisations)
        if organisations:
            counts.bump_directory_version()


def _revision_content(pk, org, name, admin, membership, stamp, plan_fields, priorities,
                      practices) -> dict:
    """The serialised plan a published revision holds (the shape of
    ``ActionPlan.serializable_data()``), built without loading each plan back."""
    content = {
        "pk": pk, "live": True, "has_unpublished_changes": False,
        "first_published_at": stamp, "last_published_at": stamp,
        "latest_revision": None, "live_revision": None, "go_live_at": None,
        "expire_at": None, "expired": False, "locked": False, "locked_at": None,
        "locked_by": None, "membership": membership, "organisation": org,
        "organisation_name": name,
        "created_by": admin, "reviewer_comment": "", "created_at": stamp,
        "submitted_at": stamp, "decided_at": stamp,
        **{k: (v.isoformat() if hasattr(v, "isoformat") else v)
           for k, v in plan_fields.items()},
        "priorities": [
            {"pk": p[0], "plan": pk, "sort_order": p[2], "what": p[3], "strategy": p[4],
             "lead_role": p[5], "timescale_months": p[6], "success_measure": p[7]}
            for p in priorities
        ],
        "practices": list(practices),
    }
    return content
