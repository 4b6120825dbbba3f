"""Serializers whitelist their fields: nothing personal leaves through the public API."""

from rest_framework import serializers

from ..models import (
    ActionPlan,
    Membership,
    Organisation,
    Priority,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)


class TermSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class StrategySerializer(serializers.ModelSerializer):
    class Meta:
        model = Strategy
        fields = ["slug", "name", "description"]


class PracticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RestrictivePractice
        fields = ["slug", "name", "description"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["slug", "name", "description"]


class LocationSerializer(serializers.Serializer):
    """Where an organisation is: the place (a region or nation, or a whole country) and
    its country."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    country = TermSerializer()


class OrganisationSerializer(serializers.ModelSerializer):
    sector = TermSerializer(allow_null=True)
    location = LocationSerializer(allow_null=True)

    class Meta:
        model = Organisation
        # region/country: the location's names, kept for clients of the first release.
        fields = ["name", "slug", "sector", "location", "region", "country", "website",
                  "size_band"]


class PrioritySerializer(serializers.ModelSerializer):
    strategy = TermSerializer()

    class Meta:
        model = Priority
        fields = ["what", "strategy", "lead_role", "timescale_months", "success_measure"]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressUpdate
        fields = ["body", "created_at"]


class PlanListSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer()
    practices = TermSerializer(many=True)
    strategies = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = ["id", "organisation", "public_summary", "period_start", "period_end",
                  "practices", "strategies"]

    def get_strategies(self, plan) -> list[str]:
        return sorted({p.strategy.slug for p in plan.priorities.all()})


class PlanDetailSerializer(PlanListSerializer):
    priorities = PrioritySerializer(many=True)
    updates = ProgressUpdateSerializer(many=True)

    class Meta(PlanListSerializer.Meta):
        fields = [*PlanListSerializer.Meta.fields, "priorities", "updates", "signoff_role"]


class CountsSerializer(serializers.Serializer):
    individual_members = serializers.IntegerField()
    organisation_members = serializers.IntegerField()
    total_members = serializers.IntegerField()
    plans_published = serializers.IntegerField()
    baseline_individuals = serializers.IntegerField()
    baseline_organisations = serializers.IntegerField()
    baseline_label = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["tier", "status", "period_start", "period_end"]


class MeSerializer(serializers.Serializer):
    membership = MembershipSerializer(allow_null=True)
    organisations = serializers.ListField(child=serializers.DictField())
    benefits = serializers.ListField(child=serializers.CharField())
    is_member = serializers.BooleanField()


class VerificationSerializer(serializers.Serializer):
    """The public verification answer: organisation facts only, never a person."""

    name = serializers.CharField()
    slug = serializers.SlugField()
    state = serializers.ChoiceField(choices=["current", "legacy_grace", "lapsed"])
    is_member = serializers.BooleanField()
    tier = serializers.CharField()
    member_since = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    plan_url = serializers.CharField(allow_blank=True, help_text="Absolute URL, or empty.")
    verify_url = serializers.CharField(help_text="The public verification page.")
