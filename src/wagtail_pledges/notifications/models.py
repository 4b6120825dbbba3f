"""The email outbox: every message is a row before it is a send attempt.

A row is queued with its template name and a small JSON ``context`` (ids and
values, see :mod:`.context`); the sender renders the subject and bodies when it
sends, and keeps what it sent in ``subject``, ``body_text`` and ``body_html``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .rendering import render_message


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Gave up")

    # Unique: queuing the same message twice (a retried transition, a second
    # lifecycle run) finds the existing row instead of sending again.
    idempotency_key = models.CharField(max_length=200, unique=True)
    template = models.CharField(max_length=100)
    to = models.EmailField(_("to"))
    # What the template is rendered with: model references and plain values. Rendered
    # at send time, outside the transaction that queued it.
    context = models.JSONField(default=dict, blank=True)
    # Empty until sent (rows queued before rendering moved to send time have them).
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject or self.template} → {self.to}"

    def render(self):
        """``(subject, text, html)``: what was sent, or what would be sent now.

        Raises :class:`~wagtail_pledges.notifications.context.Gone` when an object the
        email is about has been deleted since it was queued.
        """
        return render_message(self)

    def heading(self) -> str:
        """The subject once sent; before that (it is rendered when sent), the template."""
        return self.subject or _("%(template)s (rendered when sent)") % {
            "template": self.template}

    heading.short_description = _("subject")

    @property
    def preview_text(self) -> str:
        """The text part, for the admin: as sent, or as it would be sent now."""
        try:
            return self.render().text
        except Exception as exc:  # a deleted object, a broken site template
            return f"({type(exc).__name__}: {exc})"

    preview_text.fget.short_description = _("text")


class OutboxWakeup(models.Model):
    """One row (``pk=1``): whether a delivery task has been asked for and not yet
    started. A commit that queued emails asks for one only when none is waiting, so
    many submissions at once share one task, which sends everything pending (see
    :func:`~wagtail_pledges.notifications.tasks.wake_sender`)."""

    ROW = 1

    # When the waiting task was asked for; empty when none is waiting.
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outbox wake-up")

    def __str__(self) -> str:
        return f"delivery asked for at {self.requested_at}" if self.requested_at \
            else "no delivery waiting"
