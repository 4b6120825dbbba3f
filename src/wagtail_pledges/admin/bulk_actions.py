"""Bulk actions on the membership listings: approve, remind, invite, retry.

Each action checks the acting user per object (``check_perm``) and calls one core
function per object; a refused transition on one object is reported and the rest
go ahead.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from .. import legacy, lifecycle
from ..lifecycle import TransitionError
from ..models import ActionPlan, LegacySignatory, Membership, OutboxMessage, Pledge
from ..notifications.tasks import retry_now
from . import review
from .permissions import can_review


class PledgesBulkAction(SnippetBulkAction):
    template_name = "wagtail_pledges/admin/confirm_bulk_action.html"
    confirmation_text = ""
    done_message = ""
    action_priority = 50

    def get_execution_context(self):
        return {**super().get_execution_context(), "user": self.request.user,
                "request": self.request}

    def get_success_message(self, num_parent_objects, num_child_objects):
        return self.done_message % {"count": num_parent_objects}

    @classmethod
    def run_each(cls, objects, request, fn) -> int:
        done = 0
        for obj in objects:
            try:
                done += int(bool(fn(obj)))
            except (TransitionError, ValidationError, PermissionDenied) as error:
                reasons = getattr(error, "messages", None) or [str(error)]
                messages.warning(request, f"{obj}: {'; '.join(reasons)}")
        return done


class ApproveBulkAction(PledgesBulkAction):
    display_name = _("Approve")
    action_type = "approve_commitments"
    aria_label = _("Approve the selected submissions")
    models = [ActionPlan, Pledge]
    confirmation_text = _("Approve and publish these submissions? Members are told by email.")
    done_message = _("%(count)d approved and published.")

    def check_perm(self, obj):
        return can_review(self.request.user) and obj.review_status == obj.ReviewStatus.SUBMITTED

    @classmethod
    def execute_action(cls, objects, user=None, request=None, **kwargs):
        def approve(commitment):
            review.approve_commitment(commitment, user)
            return True

        return cls.run_each(objects, request, approve), 0


class RenewalReminderBulkAction(PledgesBulkAction):
    display_name = _("Send renewal reminder")
    action_type = "send_renewal_reminder"
    aria_label = _("Send a renewal reminder to the selected members")
    models = [Membership]
    confirmation_text = _(
        "Send these members a renewal reminder now? Each reminder goes once per number "
        "of days left."
    )
    done_message = _("%(count)d reminder(s) queued.")

    def check_perm(self, obj):
        return can_review(self.request.user) and obj.is_current and obj.period_end is not None

    @classmethod
    def execute_action(cls, objects, user=None, request=None, **kwargs):
        today = lifecycle.today()
        return cls.run_each(
            objects, request,
            lambda m: lifecycle.send_renewal_reminder(m, max((m.period_end - today).days, 0)),
        ), 0


class InviteLegacyBulkAction(PledgesBulkAction):
    display_name = _("Send claim invitation")
    action_type = "invite_legacy"
    aria_label = _("Email the selected signatories their claim link")
    models = [LegacySignatory]
    confirmation_text = _(
        "Email these signatories a link to move to the new membership? Earlier links "
        "stay valid until they expire."
    )
    done_message = _("%(count)d invitation(s) queued.")

    def check_perm(self, obj):
        return (self.request.user.has_perm("wagtail_pledges.change_legacysignatory")
                and obj.claimed_at is None)

    @classmethod
    def execute_action(cls, objects, user=None, request=None, **kwargs):
        return cls.run_each(objects, request, legacy.invite), 0


class RetryOutboxBulkAction(PledgesBulkAction):
    display_name = _("Retry sending")
    action_type = "retry_outbox"
    aria_label = _("Retry the selected failed emails")
    models = [OutboxMessage]
    confirmation_text = _("Send these failed emails again?")
    done_message = _("%(count)d email(s) will be retried.")

    def check_perm(self, obj):
        return (self.request.user.has_perm("wagtail_pledges.change_outboxmessage")
                and obj.state in (OutboxMessage.State.FAILED, OutboxMessage.State.DEAD))

    @classmethod
    def execute_action(cls, objects, user=None, request=None, **kwargs):
        return retry_now([m.pk for m in objects]), 0


BULK_ACTIONS = [
    ApproveBulkAction,
    RenewalReminderBulkAction,
    InviteLegacyBulkAction,
    RetryOutboxBulkAction,
]
