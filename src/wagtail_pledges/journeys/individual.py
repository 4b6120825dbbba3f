"""The individual journey: sign in → video 1 → video 2 → one action → confirm email → done."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, router
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import path
from wagtail.fields import RichTextField, StreamField

from .. import (
    lifecycle,
    url_converters,  # noqa: F401  (registers <pledges_id:…>)
)
from ..accounts import email_is_verified
from ..blocks import AwarenessVideoBlock, video_key_for
from ..conf import pledges_settings
from ..forms import PledgeActionForm
from ..journey_urls import INDIVIDUAL
from ..member_record import latest_pledge
from ..models import Pledge, ReviewStatus, VideoProgress
from ..policy import forget_standing
from ..prepared import PreparedObjects
from ..ratelimits import over_limit
from .base import PrivateRoutesMixin, add_service_errors, route

# Every step reads this and the latest pledge (member_record.latest_pledge), the
# commit step on every submission: compiled once per connection. A member has one
# progress row per video they played (few).
_video_progress = PreparedObjects(lambda user_pk: VideoProgress.objects.filter(user_id=user_pk))


class IndividualPledgePageMixin(PrivateRoutesMixin, models.Model):
    """Sign in → video 1 → video 2 → commit to one action → confirm email → done."""

    pledges_journey = INDIVIDUAL

    intro = RichTextField(gettext_lazy("introduction"), blank=True)
    videos = StreamField(
        [("video", AwarenessVideoBlock())], blank=True,
        verbose_name=gettext_lazy("awareness videos"),
        help_text=gettext_lazy("Members watch these, in this order, before committing."),
    )
    commit_intro = RichTextField(
        gettext_lazy("text above the action form"), blank=True,
        help_text=gettext_lazy("Ideas and examples of good actions."),
    )
    done_text = RichTextField(
        gettext_lazy("next steps"), blank=True,
        help_text=gettext_lazy("Shown when the pledge is made."),
    )

    pledges_panels = [
        FieldPanel("intro"), FieldPanel("videos"), FieldPanel("commit_intro"),
        FieldPanel("done_text"),
    ]
    # Wagtail's API v2 (``?fields=…``): what a front end shows on each step.
    api_fields = [APIField(name) for name in ("intro", "videos", "commit_intro", "done_text")]
    template = "wagtail_pledges/pages/individual_pledge_page.html"
    step_templates = {
        "video": "wagtail_pledges/pages/individual_pledge_video.html",
        "commit": "wagtail_pledges/pages/individual_pledge_commit.html",
        "check_email": "wagtail_pledges/pages/individual_pledge_check_email.html",
        "done": "wagtail_pledges/pages/individual_pledge_done.html",
    }
    form_classes = {"commit": PledgeActionForm}

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        required = pledges_settings.REQUIRED_VIDEOS
        if self.live and len(self.videos) < required:
            raise ValidationError({"videos": _("Add %(n)s awareness videos.") % {"n": required}})

    # -- state -------------------------------------------------------------------

    @property
    def video_blocks(self) -> list:
        return [child.value for child in self.videos]

    @property
    def video_keys(self) -> list[str]:
        """The awareness videos' progress keys, in order, read from the stored stream:
        no document is looked up (every step and every submission needs the keys,
        only the video step the videos themselves). A video whose file has since
        been deleted keeps its key, so progress recorded before still counts."""
        return [video_key_for(item["value"].get("document"), item["value"].get("video_url"))
                for item in self.videos.raw_data if item["type"] == "video"]

    def journey(self, request) -> dict:
        """Where the viewer is: ``step`` plus what the templates need. Two queries."""
        user = request.user
        if not user.is_authenticated:
            return {"step": "sign_in"}
        pledge = latest_pledge(user)
        keys = self.video_keys
        progress = {p.video_key: p for p in _video_progress.objects(
            user.pk, router.db_for_read(VideoProgress)) if p.video_key in keys}
        return self.journey_state(user, pledge, progress, keys)

    def journey_state(self, user, pledge, progress, keys) -> dict:
        """The step for this pledge and video progress (no queries of its own)."""
        watched = [bool(progress.get(k) and progress[k].completed_at) for k in keys]
        state = {"pledge": pledge, "progress": progress, "watched": watched, "keys": keys}
        status = pledge.review_status if pledge else None
        if pledge is None or status in (ReviewStatus.DECLINED, ReviewStatus.WITHDRAWN):
            state["step"] = "start"
        elif pledge.is_editable_by_member:
            state["step"] = "video" if not all(watched) else "commit"
            state["video_number"] = watched.index(False) + 1 if not all(watched) else None
        elif status == ReviewStatus.SUBMITTED and not email_is_verified(user) \
                and not pledges_settings.INDIVIDUAL_REQUIRES_REVIEW:
            state["step"] = "check_email"
        else:
            state["step"] = "done"
        membership = pledge.membership if pledge else None
        state["membership"] = membership
        # A member whose period is ending (or over) may start the next pledge.
        if state["step"] == "done" and membership and membership.status in lifecycle.MAY_START \
                and status == ReviewStatus.APPROVED:
            state["step"] = "start"
            state["renewing"] = True
        return state

    def step_url(self, request, state) -> str:
        step = state["step"]
        if step == "video":
            return self.sub_url(request, "video", state["video_number"])
        if step in ("commit", "check_email", "done"):
            return self.sub_url(request, step)
        return self.get_url(request)

    def journey_context(self, request, state) -> dict:
        """What every step's template gets: the state and where to go on from it."""
        return {"journey": state, "continue_url": self.step_url(request, state)}

    def _open_state(self, request):
        """The journey state if the viewer has an editable pledge, else a redirect."""
        state = self.journey(request)
        if state["step"] not in ("video", "commit"):
            return None, HttpResponseRedirect(self.step_url(request, state))
        return state, None

    # -- routes ------------------------------------------------------------------

    @path("", name="index")
    @route(login_required=False)
    def index_route(self, request, *args, **kwargs):
        return self.render_step(request, **self.journey_context(request, self.journey(request)))

    @path("start/", name="start")
    @route(methods=["POST"])
    def start_route(self, request):
        if limited := over_limit(request, "join"):
            return limited
        try:
            lifecycle.start_individual(request.user)
        except lifecycle.TransitionError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.get_url(request))
        forget_standing(request.user)
        return HttpResponseRedirect(self.step_url(request, self.journey(request)))

    @path("video/<pledges_id:number>/", name="video")
    @route(methods=["GET"])
    def video_route(self, request, number):
        state, redirect = self._open_state(request)
        if redirect:
            return redirect
        videos = self.video_blocks
        if not 1 <= number <= len(videos):
            raise Http404
        if not all(state["watched"][: number - 1]):
            messages.info(request, _("Watch the earlier video first."))
            return HttpResponseRedirect(self.step_url(request, state))
        video = videos[number - 1]
        progress = state["progress"].get(video.video_key)
        next_url = (self.sub_url(request, "video", number + 1) if number < len(videos)
                    else self.sub_url(request, "commit"))
        return self.render_step(request, self.step_templates["video"],
                                **self.journey_context(request, state), video=video,
                                number=number, total=len(videos), video_progress=progress,
                                watched=bool(progress and progress.completed_at),
                                next_url=next_url)

    @path("commit/", name="commit")
    @route()
    def commit_route(self, request):
        if request.method == "POST":
            return self._commit(request)
        state, redirect = self._commit_state(request)
        if redirect:
            return redirect
        return self.render_step(request, self.step_templates["commit"],
                                **self.journey_context(request, state),
                                form=self.get_form_class("commit")(instance=state["pledge"]))

    def _commit_state(self, request):
        """The journey state if the viewer is at the commit step, else where to go."""
        state, redirect = self._open_state(request)
        if redirect is None and state["step"] != "commit":
            messages.info(request, _("Watch both awareness videos before you commit."))
            redirect = HttpResponseRedirect(self.step_url(request, state))
        return state, redirect

    def _commit(self, request):
        """The commit step's POST. Whether the videos were watched is decided once, by
        ``submit_pledge`` under the row locks; the journey is read in full only when
        something stops the submission (the page then shows where the member is)."""
        user = request.user
        form = self.get_form_class("commit")(request.POST)
        if form.is_valid():
            # One transaction, one row update: what was typed is written with the
            # submission, or kept as the draft when submitting is refused. The pledge
            # is found under its row locks (not read before them). One a concurrent
            # request submitted first, or no longer theirs to edit, is left as it is;
            # the journey moves on.
            try:
                pledge, _submitted = lifecycle.submit_latest_pledge(
                    user, video_keys=self.video_keys, edits=form.edits())
            except Pledge.DoesNotExist:
                return HttpResponseRedirect(self.step_url(request, self.journey(request)))
            except ValidationError as exc:
                add_service_errors(form, exc)
            except lifecycle.TransitionError as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(self.get_url(request))
            else:
                forget_standing(user)
                # The next step from the pledge (locked and loaded with its
                # membership): nothing to read again. It is no longer the member's to
                # edit, so their video progress plays no part.
                after = self.journey_state(user, pledge, {}, [])
                return HttpResponseRedirect(self.step_url(request, after))
        state, redirect = self._commit_state(request)
        if redirect:
            return redirect
        return self.render_step(request, self.step_templates["commit"], status=400,
                                **self.journey_context(request, state), form=form)

    @path("check-email/", name="check_email")
    @route(methods=["GET"])
    def check_email_route(self, request):
        return self.render_step(request, self.step_templates["check_email"],
                                **self.journey_context(request, self.journey(request)))

    @path("done/", name="done")
    @route(methods=["GET"])
    def done_route(self, request):
        return self.render_step(request, self.step_templates["done"],
                                **self.journey_context(request, self.journey(request)))
