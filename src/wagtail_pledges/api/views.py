"""REST API views. Every view names its permission classes explicitly.

Public reads (plans, counts, taxonomies) carry no personal data; ``me`` needs a
signed-in user and shows only their own standing.
"""

from django.db.models import Prefetch, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from ..counts import get_counts
from ..models import (
    ActionPlan,
    Location,
    Membership,
    OrganisationRole,
    Priority,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)
from ..policy import get_policy
from . import serializers


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class PlanFilter(filters.FilterSet):
    sector = filters.ModelChoiceFilter(
        field_name="organisation__sector", to_field_name="slug", queryset=Sector.objects.all()
    )
    region = filters.CharFilter(field_name="organisation__region", lookup_expr="iexact")
    location = filters.ModelChoiceFilter(
        method="in_location", to_field_name="slug", queryset=Location.objects.all(),
        help_text="A location slug; a country matches every place within it.",
    )
    strategy = filters.ModelChoiceFilter(
        field_name="priorities__strategy", to_field_name="slug",
        queryset=Strategy.objects.all(), distinct=True,
    )
    practice = filters.ModelChoiceFilter(
        field_name="practices", to_field_name="slug",
        queryset=RestrictivePractice.objects.all(), distinct=True,
    )
    q = filters.CharFilter(method="search", max_length=200)

    class Meta:
        model = ActionPlan
        fields = ["sector", "location", "region", "strategy", "practice", "q"]

    def in_location(self, queryset, name, value):
        return queryset.filter(organisation__location__in=value.places())

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(organisation__name__icontains=value) | Q(public_summary__icontains=value)
        )


def published_plans():
    return (
        ActionPlan.objects.published()
        .select_related("organisation__sector", "organisation__location__parent")
        .prefetch_related(
            "practices",
            Prefetch("priorities", queryset=Priority.objects.select_related("strategy")),
        )
        .order_by("organisation__name", "pk")
    )


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Published action plans: the public directory."""

    permission_classes = [permissions.AllowAny]
    pagination_class = Pagination
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = PlanFilter

    def get_queryset(self):
        queryset = published_plans()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-created_at"))
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PlanDetailSerializer
        return serializers.PlanListSerializer


class TermViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    lookup_field = "slug"


class StrategyViewSet(TermViewSet):
    queryset = Strategy.objects.all()
    serializer_class = serializers.StrategySerializer


class PracticeViewSet(TermViewSet):
    queryset = RestrictivePractice.objects.all()
    serializer_class = serializers.PracticeSerializer


class SectorViewSet(TermViewSet):
    queryset = Sector.objects.all()
    serializer_class = serializers.SectorSerializer


class LocationViewSet(TermViewSet):
    queryset = Location.objects.with_country()
    serializer_class = serializers.LocationSerializer


class CountsView(APIView):
    """Live counts (kept by the lifecycle; never COUNT(*) per request)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=serializers.CountsSerializer)
    def get(self, request):
        counts = get_counts()
        baseline = counts.baseline
        data = {
            "individual_members": counts.individual_members,
            "organisation_members": counts.organisation_members,
            "total_members": counts.total_members,
            "plans_published": counts.plans_published,
            "baseline_individuals": baseline["individuals"],
            "baseline_organisations": baseline["organisations"],
            "baseline_label": baseline["label"],
        }
        return Response(serializers.CountsSerializer(data).data)


class MeView(APIView):
    """The signed-in user's own membership and benefits."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        policy = get_policy()
        user = request.user
        roles = OrganisationRole.objects.filter(user=user).select_related(
            "organisation__membership"
        )
        data = {
            "membership": Membership.objects.filter(user=user).first(),
            "organisations": [
                {"name": r.organisation.name, "slug": r.organisation.slug, "role": r.role,
                 "status": getattr(getattr(r.organisation, "membership", None), "status", None)}
                for r in roles
            ],
            "benefits": sorted(policy.benefits_for(user)),
            "is_member": policy.is_member(user),
        }
        return Response(serializers.MeSerializer(data).data)


router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("strategies", StrategyViewSet, basename="strategy")
router.register("practices", PracticeViewSet, basename="practice")
router.register("sectors", SectorViewSet, basename="sector")
router.register("locations", LocationViewSet, basename="location")
