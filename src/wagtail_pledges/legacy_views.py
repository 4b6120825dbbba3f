"""The public "send me a new claim link" page for signatories of the original pledge."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from . import legacy
from .conf import pledges_settings
from .forms import RequestClaimLinkForm
from .ratelimits import over_limit


@method_decorator(never_cache, name="dispatch")
class RequestClaimLinkView(View):
    """GET shows the form; POST answers the same for known and unknown addresses.

    Whether an email goes out is decided by :func:`legacy.request_claim_link` (at
    most one per address per period); the page never says which happened.
    """

    http_method_names = ["get", "post"]
    template_name = "wagtail_pledges/request_claim_link.html"

    def get(self, request):
        return self.render(request, RequestClaimLinkForm())

    def post(self, request):
        # Each address gets one email an hour; this caps how many addresses one
        # visitor can make the site write to.
        if limited := over_limit(request, "claim"):
            return limited
        form = RequestClaimLinkForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        legacy.request_claim_link(form.cleaned_data["email"])
        return self.render(request, None, sent=True)

    def render(self, request, form, *, sent=False, status=200):
        return render(request, self.template_name, {
            "form": form, "sent": sent, "sent_message": legacy.CLAIM_LINK_SENT,
            "deadline": pledges_settings.legacy_deadline,
            "deadline_passed": legacy.deadline_passed(),
            "closed_message": legacy.claim_links_closed_message,  # called when shown
        }, status=status)
