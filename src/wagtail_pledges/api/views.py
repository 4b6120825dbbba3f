"""REST API views. Every view names its permission classes explicitly.

Public reads (plans, counts, taxonomies) carry no personal data; ``me`` needs a
signed-in user and shows only their own standing.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django_filters import rest_framework as filters
from rest_framework import mixins, permissions
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ..counts import directory_version_expression, get_counts
from ..directory import PlanDirectoryFilterSet, cached_for_directory, cached_per_plan
from ..models import (
    ActionPlan,
    Location,
    ProgressUpdate,
    RestrictivePractice,
    Sector,
    Strategy,
)
from ..models.commitments import directory_prefetches
from ..policy import get_policy
from ..verification import VERIFY_MAX_AGE, verify_organisation
from . import serializers
from .base import PledgesAPIView, PledgesGenericViewSet, extend_schema
from .pagination import NameCursorPagination


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PledgesGenericViewSet):
    pass


class PlanViewSet(ReadOnlyViewSet):
    """Published action plans: the public directory, alphabetical by organisation."""

    permission_classes = [permissions.AllowAny]
    pagination_class = NameCursorPagination
    filter_backends = [filters.DjangoFilterBackend]
    # The directory page's own FilterSet: a query string means the same in both.
    filterset_class = PlanDirectoryFilterSet

    def get_queryset(self):
        # The cursor's position is the organisation's name, read from the plan's own copy.
        queryset = ActionPlan.objects.published_for_directory()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                Prefetch("updates", queryset=ProgressUpdate.objects.order_by("-created_at"))
            )
        elif self.action == "list":
            # Each listed plan's JSON is kept per directory version, read with the page
            # (see list_plans): the prefetches run only for plans not in the cache.
            queryset = queryset.prefetch_related(None).annotate(
                pledges_directory_version=directory_version_expression())
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.PlanDetailSerializer
        return serializers.PlanListSerializer

    # Every parameter a cached page may carry: the cursors and page sizes this list
    # hands out. A filtered or searched page is answered afresh: reading the version
    # would be its fifth query (a filter's term, the page, two prefetches).
    cacheable_params = frozenset({"cursor", "page_size"})
    cache_timeout = 3600

    def list(self, request, *args, **kwargs):
        """An unfiltered page is serialised once per directory version and then served
        from the cache (the version read is the request's one query); see
        :func:`~wagtail_pledges.directory.cached_for_directory`."""
        params = request.query_params
        if not set(params) <= self.cacheable_params:
            return self.list_plans(request)
        response = None

        def build():
            nonlocal response
            response = self.list_plans(request)
            return response.data, response.status_code == 200

        # The links in a page are absolute: the address asked for is part of the key.
        data = cached_for_directory("api-plans", (
            request.build_absolute_uri(request.path), sorted(params.lists())),
            build, self.cache_timeout)
        return response if response is not None else Response(data)

    def list_plans(self, request):
        """A page of plans, each plan's JSON read from the cache (one entry per plan
        and directory version, however many searches list it, read in one round trip;
        see :func:`~wagtail_pledges.directory.cached_per_plan`). The version comes with
        the page's rows, so a searched page costs its page query (and a filter's
        term), and only plans not yet cached are prefetched and serialised."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer_class = self.get_serializer_class()

        def build(missing):
            wanted = set(missing)
            plans = [plan for plan in page if plan.pk in wanted]
            prefetch_related_objects(plans, *directory_prefetches())
            return {plan.pk: serializer_class(plan, context=self.get_serializer_context()).data
                    for plan in plans}

        data = cached_per_plan(
            "api-plan", (serializer_class.__qualname__,), [plan.pk for plan in page], build,
            self.cache_timeout, version=page[0].pledges_directory_version) if page else {}
        return self.get_paginated_response(list(data.values()))


class TermViewSet(ReadOnlyViewSet):
    """A taxonomy: a short list an editor keeps, served whole (one query)."""

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


class CountsView(PledgesAPIView):
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


class MeView(PledgesAPIView):
    """The signed-in user's own membership and benefits."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        policy = get_policy()
        user = request.user
        # The policy's standing: the same rows it decides benefits from, read once.
        standing = policy.standing(user)
        data = {
            "membership": standing.own,
            "organisations": [
                {"name": role.organisation.name, "slug": role.organisation.slug,
                 "role": role.role, "status": getattr(membership, "status", None)}
                for role, membership in standing.organisations
            ],
            "benefits": sorted(policy.benefits_for(user)),
            "is_member": policy.is_member(user),
        }
        return Response(serializers.MeSerializer(data).data)


class VerifyView(PledgesAPIView):
    """Is this organisation a member? The same answer as ``/pledges/verify/<slug>/``."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=serializers.VerificationSerializer)
    def get(self, request, slug):
        verification = verify_organisation(slug, request)
        data = {
            **{f: getattr(verification, f) for f in (
                "name", "slug", "state", "is_member", "tier", "member_since", "valid_until",
                "ended_on")},
            "plan_url": (request.build_absolute_uri(verification.plan_url)
                         if verification.plan_url else ""),
            "verify_url": _verify_page_url(request, slug),
        }
        response = Response(serializers.VerificationSerializer(data).data)
        patch_cache_control(response, public=True, max_age=VERIFY_MAX_AGE)
        return response


def _verify_page_url(request, slug: str) -> str:
    try:
        return request.build_absolute_uri(
            reverse("wagtail_pledges:verify_organisation", args=[slug]))
    except NoReverseMatch:  # the site has not included wagtail_pledges.urls
        return ""


router = DefaultRouter()
router.register("plans", PlanViewSet, basename="plan")
router.register("strategies", StrategyViewSet, basename="strategy")
router.register("practices", PracticeViewSet, basename="practice")
router.register("sectors", SectorViewSet, basename="sector")
router.register("locations", LocationViewSet, basename="location")
