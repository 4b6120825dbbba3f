"""Commitments: an individual's pledge (one action) and an organisation's action plan.

Both are reviewed, versioned and published with Wagtail's own machinery
(``WorkflowMixin``, ``DraftStateMixin``, ``RevisionMixin``), so editors get revisions,
comparisons and workflows for free. ``live`` means "published on the site". One row
is one commitment period; renewing creates the next row and never overwrites the last.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REVIEW_STATUSES = [
    ReviewStatus.DRAFT,
    ReviewStatus.SUBMITTED,
    ReviewStatus.CHANGES_REQUESTED,
]


class CommitmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(review_status__in=OPEN_REVIEW_STATUSES)

    def published(self):
        return self.filter(review_status=ReviewStatus.APPROVED, live=True)

    def awaiting_review(self):
        return self.filter(review_status=ReviewStatus.SUBMITTED).order_by("submitted_at")


# The directory's order: alphabetical by organisation, ties by plan. The copy of the
# name on the plan lets one partial index (``pledges_plan_directory``) hand out any
# page of published plans in this order without sorting them all.
DIRECTORY_ORDER = ("organisation_name", "pk")
PUBLISHED = Q(review_status=ReviewStatus.APPROVED, live=True)


def directory_prefetches() -> tuple:
    """What a listed plan shows beyond its row and organisation: its practices, and its
    priorities with their strategies (for ``prefetch_related_objects`` too)."""
    return ("practices", Prefetch(
        "priorities", queryset=Priority.objects.select_related("strategy").order_by("sort_order")))


class ActionPlanQuerySet(CommitmentQuerySet):
    """The plan queries the directory page, the API and the dashboards share."""

    def published_for_directory(self):
        """Approved, live plans with everything the directory shows, in constant queries."""
        return (
            self.published()
            .select_related("organisation", "organisation__sector",
                            "organisation__location__parent")
            .prefetch_related(*directory_prefetches())
            .order_by(*DIRECTORY_ORDER)
        )

    def latest_per_organisation(self, organisation_ids=None):
        """Each organisation's most recent plan (highest ``sequence``), in one query."""
        queryset = self
        if organisation_ids is not None:
            queryset = queryset.filter(organisation_id__in=organisation_ids)
        latest = (self.model._default_manager.filter(organisation_id=OuterRef("organisation_id"))
                  .order_by("-sequence").values("pk")[:1])
        return queryset.filter(pk=Subquery(latest))


class Commitment(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel
):
    """What pledges and plans share: review state, period and sequence."""

    ReviewStatus = ReviewStatus

    membership = models.ForeignKey(
        "wagtail_pledges.Membership", on_delete=models.CASCADE, related_name="+"
    )
    sequence = models.PositiveSmallIntegerField(
        _("commitment period number"), default=1,
        help_text=_("1 for the first commitment, 2 for the first renewal, …"),
    )
    review_status = models.CharField(
        _("review status"), max_length=20, choices=ReviewStatus.choices,
        default=ReviewStatus.DRAFT,
    )
    reviewer_comment = models.TextField(
        _("reviewer's comment"), blank=True,
        help_text=_("Shown to the member when changes are requested or it is declined."),
    )
    practices = ParentalManyToManyField(
        "wagtail_pledges.RestrictivePractice", blank=True,
        verbose_name=_("restrictive practices targeted"), related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)

    objects = CommitmentQuerySet.as_manager()

    # Meaningful to the commitment as a whole and written only by the lifecycle: kept
    # from the row whenever a revision is turned back into an object, so reverting to
    # an old revision (or publishing one) never rolls back its review status, period,
    # owner or dates. (Wagtail keeps ``live`` and the like the same way.)
    lifecycle_fields = ("membership", "sequence", "review_status", "reviewer_comment",
                        "submitted_at", "decided_at", "period_start", "period_end",
                        "created_at")

    class Meta:
        abstract = True

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.lifecycle_fields:
            attname = self._meta.get_field(name).attname
            setattr(obj, attname, getattr(self, attname))
        return obj

    @property
    def is_editable_by_member(self) -> bool:
        return self.review_status in (ReviewStatus.DRAFT, ReviewStatus.CHANGES_REQUESTED)


class Pledge(Commitment):
    """An individual's pledge: the awareness videos were watched, and one action."""

    # Nothing links *to* a pledge, and indexing every save would dominate the cost
    # of joining (see bench/run.py).
    wagtail_reference_index_ignore = True

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges"
    )
    action = models.TextField(
        _("your action"), blank=True,
        help_text=_("One concrete thing you will do to reduce restrictive practice."),
    )
    strategy = models.ForeignKey(
        "wagtail_pledges.Strategy", verbose_name=_("strategy"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)

    # The admin edits what the member wrote, never what the lifecycle owns (review
    # status, period, membership, person, sequence, dates): those move only through
    # wagtail_pledges.lifecycle. A value posted for them is not a form field: ignored.
    panels = [FieldPanel("action"), FieldPanel("strategy"), FieldPanel("target_date"),
              FieldPanel("practices")]
    lifecycle_fields = (*Commitment.lifecycle_fields, "user")

    class Meta:
        verbose_name = _("individual pledge")
        verbose_name_plural = _("individual pledges")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "sequence"], name="pledges_pledge_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["membership"], condition=Q(review_status__in=OPEN_REVIEW_STATUSES),
                name="pledges_pledge_one_open_per_membership",
            ),
            # At most one live pledge per member: a renewal replaces the one it renews.
            models.UniqueConstraint(
                fields=["membership"], condition=PUBLISHED,
                name="pledges_pledge_one_published_per_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"Pledge by {self.user} ({self.sequence})"


class ActionPlan(index.Indexed, Commitment):
    """An organisation's action plan: priorities, a public summary, a senior sign-off."""

    organisation = models.ForeignKey(
        "wagtail_pledges.Organisation", on_delete=models.CASCADE, related_name="plans"
    )
    # A copy of ``organisation.name``: the directory's sort key, next to ``live`` and
    # ``review_status`` so one index serves the ordered list. Kept by save() here and
    # by ``Organisation.save()`` on a rename.
    organisation_name = models.CharField(max_length=200, editable=False, default="")
    public_summary = models.TextField(
        _("public summary"), blank=True,
        help_text=_("A few sentences published with your plan."),
    )
    signoff_name = models.CharField(_("senior sign-off: name"), max_length=150, blank=True)
    signoff_role = models.CharField(_("senior sign-off: role"), max_length=150, blank=True)
    signoff_confirmed = models.BooleanField(
        _("the named senior leader has approved this plan"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ActionPlanQuerySet.as_manager()

    # What the organisation wrote, as for Pledge.panels: never its review status, period,
    # organisation, membership, sequence, dates or author.
    panels = [FieldPanel("public_summary"), FieldPanel("practices"),
              FieldPanel("signoff_name"), FieldPanel("signoff_role"),
              FieldPanel("signoff_confirmed")]
    lifecycle_fields = (*Commitment.lifecycle_fields, "organisation", "organisation_name",
                        "created_by")

    search_fields = [
        index.SearchField("public_summary"),
        index.FilterField("review_status"),
        index.FilterField("live"),
        index.RelatedFields("organisation", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sequence"], name="pledges_plan_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(review_status__in=OPEN_REVIEW_STATUSES),
                name="pledges_plan_one_open_per_organisation",
            ),
            # At most one plan per organisation in the directory, whatever the admin is sent.
            models.UniqueConstraint(
                fields=["organisation"], condition=PUBLISHED,
                name="pledges_plan_one_published_per_organisation",
            ),
        ]
        indexes = [
            # Published plans in the directory's order: a page (and the next, after a
            # cursor's name) is a short walk of this index, whatever the number of plans.
            models.Index(fields=["organisation_name", "id"], condition=PUBLISHED,
                         name="pledges_plan_directory"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} action plan ({self.sequence})"

    def save(self, *args, **kwargs):
        """Copy the organisation's name, the directory's sort key, whenever the whole row
        is written (a revision published later may carry an older copy) or the
        organisation changes."""
        update_fields = kwargs.get("update_fields")
        if self.organisation_id is not None and (
                update_fields is None or "organisation" in update_fields
                or "organisation_id" in update_fields):
            self.organisation_name = self._current_organisation_name()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "organisation_name"}
        super().save(*args, **kwargs)

    def _current_organisation_name(self) -> str:
        # The organisation in hand when it is this plan's (creating a plan, or one
        # loaded with it); otherwise its stored name, one small query.
        if type(self).organisation.is_cached(self) and self.organisation.pk == self.organisation_id:
            return self.organisation.name
        organisations = self._meta.get_field("organisation").related_model._default_manager
        names = organisations.filter(pk=self.organisation_id).values_list("name", flat=True)
        return names.first() or ""


class Priority(Orderable):
    """One priority of an action plan."""

    plan = ParentalKey(ActionPlan, on_delete=models.CASCADE, related_name="priorities")
    what = models.TextField(_("what you will do"))
    strategy = models.ForeignKey(
        "wagtail_pledges.Strategy", verbose_name=_("strategy"),
        on_delete=models.PROTECT, related_name="+",
    )
    lead_role = models.CharField(_("lead role"), max_length=150)
    timescale_months = models.PositiveSmallIntegerField(
        _("timescale (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Within the commitment period."),
    )
    success_measure = models.TextField(_("how success will be measured"))

    class Meta(Orderable.Meta):
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.what[:80]


class ProgressUpdate(models.Model):
    """A member's note on how their action or plan is going."""

    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.CASCADE, related_name="updates"
    )
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("update"), max_length=5000)
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)
    # The one-time key the form carried: a double or concurrent post of the same
    # form stores one update (the unique constraint decides, not a read-then-write).
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                      editable=False)

    # Staff moderate the words; where an update is shown (its pledge or plan) and who
    # wrote it are not theirs to change.
    panels = [FieldPanel("body")]

    class Meta:
        verbose_name = _("progress update")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pledge__isnull=False, plan__isnull=True)
                | Q(pledge__isnull=True, plan__isnull=False),
                name="pledges_update_on_pledge_or_plan",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class VideoProgress(models.Model):
    """What a member's player reported about one awareness video.

    ``watched`` holds merged ``[start, end]`` second ranges; see
    :func:`wagtail_pledges.videos.record_video_progress` for the completion rule.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges_videos"
    )
    video_key = models.CharField(max_length=100)
    duration = models.FloatField()
    watched = models.JSONField(default=list)
    position = models.FloatField(default=0)
    first_report_at = models.DateTimeField()
    last_report_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("video progress")
        verbose_name_plural = _("video progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "video_key"], name="pledges_one_progress")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.video_key}"
