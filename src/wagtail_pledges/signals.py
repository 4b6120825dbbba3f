"""Signals a site can connect to, to extend the package without forking it.

``membership_status_changed``
    Sent once per real change of a membership's status, after the transaction that
    made it commits (never for an idempotent repeat, never for a rolled-back one).
    ``sender`` is :class:`~wagtail_pledges.models.Membership`; keyword arguments:

    * ``membership`` — the membership, with its new status;
    * ``old_status`` — the status before (``None`` when the membership was created);
    * ``new_status`` — the status after;
    * ``user`` — the person acting, or ``None`` for the system (the daily run, a
      confirmed email link);
    * ``action`` — the lifecycle action, as recorded on the ``LifecycleEvent``
      (``start``, ``submit``, ``approve``, ``renew``, ``lapse`` …).
"""

from django.dispatch import Signal

membership_status_changed = Signal()
