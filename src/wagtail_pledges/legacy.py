"""Signatories of the original pledge: import them, invite them, let them claim.

Claiming links the signatory to a real account (and, for an organisation, creates
the organisation with the claimant as its admin). The membership then sits in
``legacy`` status — benefits until ``LEGACY_DEADLINE`` — until its first pledge or
plan is approved.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import lifecycle, notify
from .conf import pledges_settings
from .models import (
    ActionToken,
    LegacySignatory,
    Membership,
    Organisation,
    OrganisationRole,
    Status,
    Tier,
)
from .tokens import consume_token, issue_token

COLUMNS = ("kind", "name", "email", "organisation", "signed_on")
MAX_ROWS = 100_000


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_row(number: int, row: dict) -> tuple[dict | None, list[str]]:
    problems = []
    kind = (row.get("kind") or "").strip().lower()
    if kind not in LegacySignatory.Kind.values:
        problems.append(f"line {number}: kind must be 'individual' or 'organisation', not {kind!r}")
    name = (row.get("name") or "").strip()
    if not name:
        problems.append(f"line {number}: name is empty")
    email = (row.get("email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        problems.append(f"line {number}: email {email!r} is not a valid address")
    organisation = (row.get("organisation") or "").strip()
    if kind == "organisation" and not organisation:
        problems.append(f"line {number}: an organisation signatory needs an organisation name")
    signed_on = None
    raw_date = (row.get("signed_on") or "").strip()
    if raw_date:
        try:
            signed_on = datetime.date.fromisoformat(raw_date)
        except ValueError:
            problems.append(f"line {number}: signed_on {raw_date!r} is not a YYYY-MM-DD date")
    if problems:
        return None, problems
    return {"kind": kind, "name": name[:200], "email": email,
            "organisation_name": organisation[:200], "signed_on": signed_on}, []


def _read_rows(text: str, result: ImportResult) -> list[dict]:
    """Parse every row; problems go to ``result.errors``. Raises ``csv.Error``."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        result.errors.append("missing column(s): " + ", ".join(missing)
                             + f" (expected header: {','.join(COLUMNS)})")
        return []
    rows = []
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            result.errors.append(f"more than {MAX_ROWS} rows; split the file")
            return rows
        parsed, problems = _parse_row(number, row)
        result.errors.extend(problems)
        if parsed:
            rows.append(parsed)
    return rows


def import_signatories(text: str) -> ImportResult:
    """Import a CSV (header: kind,name,email,organisation,signed_on).

    All or nothing: any bad row means nothing is written and every problem is
    listed by line. Rows already imported are left as they are, so importing the
    same file twice changes nothing.
    """
    result = ImportResult()
    try:
        rows = _read_rows(text, result)
    except csv.Error as exc:  # e.g. a stray carriage return inside an unquoted field
        result.errors.append(f"the file cannot be read as CSV: {exc}")
    if result.errors:
        return result
    with transaction.atomic():
        for data in rows:
            _obj, created = LegacySignatory.objects.get_or_create(
                kind=data["kind"], email=data["email"],
                organisation_name=data["organisation_name"],
                defaults={"name": data["name"], "signed_on": data["signed_on"]},
            )
            if created:
                result.created += 1
            else:
                result.unchanged += 1
    return result


@transaction.atomic
def invite(signatory: LegacySignatory) -> bool:
    """Email one signatory a claim link. Returns False if already claimed."""
    signatory = LegacySignatory.objects.select_for_update().get(pk=signatory.pk)
    if signatory.claimed_at:
        return False
    raw = issue_token(
        ActionToken.Purpose.LEGACY_CLAIM, signatory.email,
        datetime.timedelta(days=pledges_settings.LEGACY_CLAIM_MAX_AGE_DAYS),
        legacy_signatory=signatory,
    )
    signatory.invited_at = timezone.now()
    signatory.save(update_fields=["invited_at"])
    notify.legacy_invitation(signatory, raw)
    return True


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def claim(raw_token: str, user) -> Membership:
    """Link a signatory to ``user`` and put the membership in ``legacy`` status."""
    token = consume_token(raw_token, ActionToken.Purpose.LEGACY_CLAIM)
    signatory = LegacySignatory.objects.select_for_update().get(pk=token.legacy_signatory_id)
    if signatory.claimed_at and signatory.membership_id:
        return signatory.membership
    if signatory.kind == LegacySignatory.Kind.ORGANISATION:
        organisation = Organisation.objects.create(
            name=signatory.organisation_name, slug=_unique_slug(signatory.organisation_name)
        )
        OrganisationRole.objects.create(
            organisation=organisation, user=user, role=OrganisationRole.Role.ADMIN
        )
        membership, _c = lifecycle.get_or_create_membership(
            Tier.ORGANISATION, organisation=organisation
        )
    else:
        membership, _c = lifecycle.get_or_create_membership(Tier.INDIVIDUAL, user=user)
    if membership.status == Status.DRAFT:
        lifecycle.mark_legacy(membership, user, _("Claimed the original pledge signature"))
        membership.refresh_from_db()
    signatory.claimed_at = timezone.now()
    signatory.membership = membership
    signatory.save(update_fields=["claimed_at", "membership"])
    return membership
