"""The public verification page: ``/pledges/verify/<organisation-slug>/``."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from .verification import VERIFY_MAX_AGE, verify_organisation


@method_decorator(cache_control(public=True, max_age=VERIFY_MAX_AGE), name="dispatch")
class VerifyOrganisationView(TemplateView):
    """Anyone may look; the answer holds organisation facts only, no person."""

    template_name = "wagtail_pledges/verify_organisation.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        verification = verify_organisation(kwargs["slug"], request)
        if verification.slug != kwargs["slug"]:  # renamed: its address moved too
            return HttpResponsePermanentRedirect(
                reverse("wagtail_pledges:verify_organisation", args=[verification.slug])
            )
        return self.render_to_response(self.get_context_data(verification=verification))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs)
