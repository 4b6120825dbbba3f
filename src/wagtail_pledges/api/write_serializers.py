"""Serializers for the member-facing (write) endpoints.

Each one lists the fields a member may send; everything else in a request body is
ignored. Review status, approval, periods, counts, sequence and ``live`` are only
ever read: they change through :mod:`wagtail_pledges.lifecycle` alone.
Taxonomy terms are sent and returned by slug, as the public endpoints show them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..conf import pledges_settings
from ..models import (
    ActionPlan,
    Location,
    Membership,
    Organisation,
    OrganisationRole,
    Pledge,
    Priority,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)
from ..organisations import PRIORITY_FIELDS
from ..term_cache import all_terms
from .base import FieldsBuiltOnce

#: The most priorities one request may carry before any is validated (a parse guard;
#: PLAN_MAX_PRIORITIES is the rule, checked in validate_priorities).
MAX_PRIORITIES = 30


class TermField(serializers.SlugRelatedField):
    """A taxonomy term by slug. Terms are few: read once per taxonomy per request,
    however many fields or list items name one — from the page cache
    (:mod:`~wagtail_pledges.term_cache`), no query once warm."""

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("slug_field", "slug")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        cache = self.root.context.setdefault("_terms", {})
        if self.model not in cache:
            cache[self.model] = {term.slug: term for term in self._terms()}
        try:
            return cache[self.model][data]
        except KeyError:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)

    def _terms(self):
        """Every term of the field's queryset: when it is the model's whole table (as
        it is unless a site narrows it), from :func:`.term_cache.all_terms` (every
        write that names a strategy asks it)."""
        queryset = self.get_queryset()
        if queryset.query.has_filters() or queryset.model is not self.model:
            return queryset
        return all_terms(self.model, queryset.db)


class PageField(serializers.IntegerField):
    """The id of the journey page the member is on (its own videos count)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("help_text", _("The id of the individual pledge page."))
        super().__init__(**kwargs)


# -- individual ------------------------------------------------------------------------


class MembershipStatusSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["tier", "status", "period_start", "period_end"]
        read_only_fields = fields


class PledgeSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A member's own pledge, as they see it. Nothing here is written directly."""

    strategy = TermField(Strategy, read_only=True)
    practices = TermField(RestrictivePractice, many=True, read_only=True)
    is_editable = serializers.BooleanField(source="is_editable_by_member", read_only=True)

    class Meta:
        model = Pledge
        fields = ["id", "sequence", "review_status", "is_editable", "action", "strategy",
                  "target_date", "practices", "reviewer_comment", "submitted_at",
                  "decided_at", "period_start", "period_end"]
        read_only_fields = fields


class PledgeStateSerializer(FieldsBuiltOnce, serializers.Serializer):
    """Where the member stands: their latest pledge, membership and email check."""

    pledge = PledgeSerializer(allow_null=True)
    membership = MembershipStatusSerializer(allow_null=True)
    email_verified = serializers.BooleanField()


class PledgeCommitSerializer(FieldsBuiltOnce, serializers.Serializer):
    """The one action, committed on the journey page ``page``."""

    page = PageField()
    action = serializers.CharField(max_length=5000, trim_whitespace=True)
    strategy = TermField(Strategy)
    target_date = serializers.DateField(
        help_text=_("A date within the two-year commitment period."))
    practices = TermField(RestrictivePractice, many=True, required=False, default=list)


class VideoQuerySerializer(serializers.Serializer):
    page = PageField()


class VideoSerializer(serializers.Serializer):
    """One awareness video of a page and how far the member has got."""

    key = serializers.CharField(help_text=_("Send this as `video` in progress reports."))
    title = serializers.CharField()
    src = serializers.CharField()
    duration = serializers.FloatField(allow_null=True)
    position = serializers.FloatField()
    completed = serializers.BooleanField()


class VideoProgressInputSerializer(FieldsBuiltOnce, serializers.Serializer):
    """One heartbeat from the player: the stretch just played, in seconds."""

    page = PageField()
    video = serializers.CharField(max_length=100)
    start = serializers.FloatField(min_value=0)
    end = serializers.FloatField(min_value=0)


class VideoProgressSerializer(FieldsBuiltOnce, serializers.Serializer):
    video = serializers.CharField()
    position = serializers.FloatField()
    completed = serializers.BooleanField()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200, trim_whitespace=True)


class ClaimLinkRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class ClaimLinkAnswerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    deadline_passed = serializers.BooleanField()


class EmailStatusSerializer(serializers.Serializer):
    email_verified = serializers.BooleanField()
    sent = serializers.BooleanField(help_text=_("Whether a new link was emailed."))


# -- organisations -----------------------------------------------------------------------


class OrganisationWriteSerializer(serializers.ModelSerializer):
    """An organisation's public profile: the fields the journey's form offers."""

    sector = TermField(Sector)
    location = TermField(Location, help_text=_("A location slug from /locations/."))
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    role = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "sector", "location", "region", "country", "website",
                  "size_band", "role", "status"]
        read_only_fields = ["id", "slug", "region", "country", "role", "status"]
        extra_kwargs = {"size_band": {"required": False}}

    def get_role(self, organisation) -> str | None:
        return self.context.get("roles", {}).get(organisation.pk)

    def get_status(self, organisation) -> str | None:
        membership = getattr(organisation, "membership", None)
        return membership.status if membership else None

    def organisation_fields(self) -> dict:
        data = self.validated_data
        return {name: data[name] for name in ("name", "sector", "location", "website",
                                              "size_band") if name in data}


class PriorityWriteSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, allow_null=True,
                                  help_text=_("Give a saved priority's id to edit it."))
    strategy = TermField(Strategy)

    class Meta:
        model = Priority
        fields = ["id", *PRIORITY_FIELDS]


class PlanDraftSerializer(serializers.Serializer):
    """The whole editable draft: saved priorities not listed are deleted."""

    public_summary = serializers.CharField(allow_blank=True, max_length=5000)
    practices = TermField(RestrictivePractice, many=True, required=False, default=list)
    priorities = PriorityWriteSerializer(many=True, max_length=MAX_PRIORITIES)

    def validate_priorities(self, priorities):
        ids = [item["id"] for item in priorities if item.get("id") is not None]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Give each saved priority once."))
        # The same bound as the plan form's (a draft may have fewer than the minimum;
        # submitting checks that).
        most = pledges_settings.PLAN_MAX_PRIORITIES
        if len(priorities) > most:
            raise serializers.ValidationError(
                _("A plan has at most %(most)d priorities; this draft has %(count)d.")
                % {"most": most, "count": len(priorities)})
        return priorities


class SignoffSerializer(serializers.ModelSerializer):
    """The named senior leader who approved the plan."""

    class Meta:
        model = ActionPlan
        fields = ["signoff_name", "signoff_role", "signoff_confirmed"]
        extra_kwargs = {"signoff_name": {"required": True, "allow_blank": False},
                        "signoff_role": {"required": True, "allow_blank": False},
                        "signoff_confirmed": {"required": True}}

    def validate_signoff_confirmed(self, value):
        if not value:
            raise serializers.ValidationError(
                _("Confirm the senior leader has approved the plan."))
        return value


class MemberPrioritySerializer(serializers.ModelSerializer):
    strategy = TermField(Strategy, read_only=True)

    class Meta:
        model = Priority
        fields = ["id", *PRIORITY_FIELDS]
        read_only_fields = fields


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class MemberPlanSerializer(serializers.ModelSerializer):
    """A plan as its organisation sees it: draft, review state and reviewer's comment."""

    organisation = OrganisationRefSerializer(read_only=True)
    practices = TermField(RestrictivePractice, many=True, read_only=True)
    priorities = MemberPrioritySerializer(many=True, read_only=True, source="priority_list")
    is_editable = serializers.BooleanField(source="is_editable_by_member", read_only=True)

    class Meta:
        model = ActionPlan
        fields = ["id", "organisation", "sequence", "review_status", "is_editable", "live",
                  "reviewer_comment", "public_summary", "practices", "priorities",
                  "signoff_name", "signoff_role", "signoff_confirmed", "submitted_at",
                  "decided_at", "period_start", "period_end"]
        read_only_fields = fields


# -- people and updates ----------------------------------------------------------------------


class ProgressUpdateWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class PostedUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["id", "body", "created_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=OrganisationRole.Role.choices,
                                   default=OrganisationRole.Role.STAFF)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=OrganisationRole.Role.choices)


class PersonSerializer(serializers.ModelSerializer):
    """Someone in an organisation, as its admins see them."""

    user = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = OrganisationRole
        fields = ["user", "name", "email", "role", "created_at"]
        read_only_fields = fields

    def get_name(self, role) -> str:
        user = role.user
        return (user.get_full_name() if hasattr(user, "get_full_name") else "") or str(user)


class EraseSerializer(serializers.Serializer):
    confirm = serializers.ChoiceField(
        choices=["erase"], help_text=_('Send "erase" to confirm. This cannot be undone.'))
