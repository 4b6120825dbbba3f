"""The migration campaign in numbers, per tier, against the original pledge's baseline.

A handful of aggregate queries, whatever the number of signatories. Shown above the
campaign report's listing (with a progress chart) and exported as CSV.
"""

from __future__ import annotations

import csv
import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import permission_denied

from ..conf import pledges_settings
from ..models import ActionPlan, LegacyReminder, LegacySignatory, Pledge, ReviewStatus, Status
from .permissions import can_view_memberships

Kind = LegacySignatory.Kind
BASELINE_KEYS = {Kind.INDIVIDUAL: "individuals", Kind.ORGANISATION: "organisations"}
STAGES = ["imported", "invited", "claimed", "moved"]  # the chart's bars, in order
LABELS = {
    "baseline": _("Signed the original pledge (baseline)"),
    "imported": _("Imported"),
    "invited": _("Invited"),
    "claimed": _("Claimed"),
    "moved": _("Moved (new commitment approved)"),
    "lapsed": _("Lapsed at the deadline"),
}


def days_to_deadline(on: datetime.date | None = None) -> int | None:
    deadline = pledges_settings.legacy_deadline
    return None if deadline is None else (deadline - (on or timezone.localdate())).days


def _approved(model):
    return Exists(model.objects.filter(membership=OuterRef("membership"),
                                       review_status=ReviewStatus.APPROVED))


def legacy_signatories():
    """Signatories annotated with ``moved``: their membership has an approved commitment."""
    return LegacySignatory.objects.annotate(moved=_approved(ActionPlan) | _approved(Pledge))


def deadline_status() -> dict:
    """The deadline and the days left; ``passed`` when it is behind us."""
    days = days_to_deadline()
    return {"deadline": pledges_settings.legacy_deadline, "days_left": days,
            "passed": days is not None and days < 0}


def campaign_by_tier() -> dict:
    """Per tier: baseline, imported, invited, reminded (per wave), claimed, moved, lapsed."""
    baseline = pledges_settings.HISTORIC_BASELINE or {}
    tiers = {kind: {"label": label, "baseline": baseline.get(BASELINE_KEYS[kind], 0),
                    "imported": 0, "invited": 0, "claimed": 0, "moved": 0, "lapsed": 0,
                    "reminded": {}}
             for kind, label in Kind.choices}
    for row in LegacySignatory.objects.values("kind").order_by().annotate(
        imported=Count("pk"),
        invited=Count("pk", filter=Q(invited_at__isnull=False)),
        claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
        lapsed=Count("pk", filter=Q(membership__status=Status.LAPSED)),
    ):
        tiers[row.pop("kind")].update(row)
    for row in legacy_signatories().filter(moved=True).values("kind").order_by().annotate(
            n=Count("pk")):
        tiers[row["kind"]]["moved"] = row["n"]
    deadline = pledges_settings.legacy_deadline
    waves = sorted(pledges_settings.LEGACY_REMINDER_DAYS, reverse=True)
    for tier in tiers.values():
        tier["reminded"] = dict.fromkeys(waves, 0)
    for row in LegacyReminder.objects.filter(deadline=deadline).values(
            "signatory__kind", "wave").order_by().annotate(n=Count("pk")):
        tiers[row["signatory__kind"]]["reminded"][row["wave"]] = row["n"]
    for tier in tiers.values():
        scale = max(tier["baseline"], tier["imported"], 1)
        tier["chart"] = [
            {"stage": stage, "label": LABELS[stage], "value": tier[stage],
             "percent": round(100 * tier[stage] / scale)}
            for stage in STAGES
        ]
    return {"tiers": tiers, "waves": waves, **deadline_status()}


def summary_rows(summary: dict) -> list[list]:
    """The summary as table rows: a measure, then one value per tier."""
    tiers = list(summary["tiers"].values())
    rows = [[str(_("Measure")), *(str(t["label"]) for t in tiers)]]
    for key in ("baseline", "imported", "invited"):
        rows.append([str(LABELS[key]), *(t[key] for t in tiers)])
    for wave in summary["waves"]:
        rows.append([str(_("Reminded %d days before the deadline") % wave),
                     *(t["reminded"][wave] for t in tiers)])
    for key in ("claimed", "moved", "lapsed"):
        rows.append([str(LABELS[key]), *(t[key] for t in tiers)])
    if summary["deadline"] is not None:
        rows.append([str(_("Deadline")), *([summary["deadline"].isoformat()] * len(tiers))])
        rows.append([str(_("Days left")), *([max(summary["days_left"], 0)] * len(tiers))])
    return rows


def campaign_summary_csv(request):
    """The per-tier summary as a CSV file (reviewers and membership viewers)."""
    if not can_view_memberships(request.user):
        return permission_denied(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="legacy-campaign-summary-{timezone.localdate().isoformat()}.csv"')
    csv.writer(response).writerows(summary_rows(campaign_by_tier()))
    return response
