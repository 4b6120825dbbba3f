"""Benchmark-only views: a bare insert, and a pledge submission as the page does it."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import include, path
from django.views.decorators.http import require_POST

from wagtail_pledges import lifecycle
from wagtail_pledges.forms import PledgeActionForm
from wagtail_pledges.models import Counter, Pledge


@require_POST
@login_required
def bare_insert(request):
    with transaction.atomic():
        Counter.objects.create(key=f"bench:{request.user.pk}:{request.POST['n']}", value=1)
    return HttpResponse(status=204)


@require_POST
@login_required
def ceiling(request):
    """bench/plain_site.py's ceiling here: one INSERT and one counter UPDATE."""
    with transaction.atomic():
        Counter.objects.create(key=f"bench:{request.user.pk}:{request.POST['n']}", value=1)
        Counter.objects.filter(key="bench:tally").update(value=F("value") + 1)
    return HttpResponse(status=204)


@require_POST
@login_required
def submit_pledge(request):
    """What IndividualPledgePage's commit step does: validate the form, submit."""
    pledge = Pledge.objects.filter(user=request.user).open().get()
    form = PledgeActionForm(request.POST, instance=pledge)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_json())
    lifecycle.submit_pledge(pledge, request.user, edits=form.edits())
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/insert/", bare_insert),
    path("bench/ceiling/", ceiling),
    path("bench/submit/", submit_pledge),
    path("", include("tests.urls")),
]
