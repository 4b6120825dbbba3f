"""Organisations, the people who run them, and who merely works there."""

from __future__ import annotations

from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

SLUG_MAX_LENGTH = 200
# Tries at a free slug when concurrent sign-ups of one name collide (see save()).
SLUG_ATTEMPTS = 3


class Organisation(index.Indexed, models.Model):
    class SizeBand(models.TextChoices):
        MICRO = "micro", _("1–9 staff")
        SMALL = "small", _("10–49 staff")
        MEDIUM = "medium", _("50–249 staff")
        LARGE = "large", _("250–999 staff")
        VERY_LARGE = "very_large", _("1,000+ staff")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    sector = models.ForeignKey(
        "wagtail_pledges.Sector",
        verbose_name=_("sector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )
    location = models.ForeignKey(
        "wagtail_pledges.Location",
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    # Copies of the location's names, kept by save() for exports, search and older
    # readers; the location is the source of truth.
    region = models.CharField(_("region"), max_length=100, blank=True, editable=False)
    country = models.CharField(_("country"), max_length=100, blank=True, editable=False)
    website = models.URLField(_("website"), blank=True)
    size_band = models.CharField(
        _("size"), max_length=20, choices=SizeBand.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("region"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        # *args/**kwargs: Django 6.1 passes fetch_mode; 5.2 passes nothing more.
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        # Remember the stored name and slug so save() can tell a rename.
        loaded = dict(zip(field_names, values, strict=True))
        instance._loaded_name = loaded.get("name")
        instance._loaded_slug = loaded.get("slug")
        return instance

    def save(self, *args, **kwargs):
        """Keep the slug following the name, and region/country following the location.

        A rename gives the organisation a new slug; the old one is kept in
        :class:`OrganisationSlugHistory` so its old addresses still lead here.
        """
        update_fields = kwargs.get("update_fields")
        loaded_name = getattr(self, "_loaded_name", None)
        loaded_slug = getattr(self, "_loaded_slug", None)
        renamed = loaded_name is not None and loaded_name != self.name
        generated = not self.slug or (renamed and self.slug == loaded_slug)
        if generated:
            self.slug = unique_organisation_slug(self.name, exclude=self)
        if self.location_id is not None:
            location = self.location
            self.region = location.name if location.parent_id else ""
            self.country = location.country.name
        if update_fields is not None:
            extra = {"slug"} if "name" in update_fields else set()
            if "location" in update_fields:
                extra |= {"region", "country"}
            kwargs["update_fields"] = set(update_fields) | extra
        # Its plans carry a copy of the name (the directory's sort key): a rename
        # rewrites them in the same transaction. ``None``: not loaded from the
        # database, so whether the name changed is unknown.
        copies = not self._state.adding and (renamed or loaded_name is None) and (
            update_fields is None or "name" in update_fields)
        with transaction.atomic(using=kwargs.get("using"), savepoint=False) if copies \
                else nullcontext():
            if generated:
                self._save_with_free_slug(*args, **kwargs)
            else:
                super().save(*args, **kwargs)
            if copies:
                self.plans.exclude(organisation_name=self.name).update(
                    organisation_name=self.name)
        if loaded_slug and loaded_slug != self.slug:
            OrganisationSlugHistory.objects.update_or_create(
                slug=loaded_slug, defaults={"organisation": self}
            )
        if loaded_slug != self.slug:
            # Taking back an old slug: it is current again, not history.
            OrganisationSlugHistory.objects.filter(slug=self.slug).delete()
        self._loaded_name, self._loaded_slug = self.name, self.slug


    def _save_with_free_slug(self, *args, **kwargs):
        """Save; if another organisation of the same name took the slug between our
        check and our write (two sign-ups at the same instant), take a suffixed one."""
        for attempt in range(SLUG_ATTEMPTS):
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                taken = Organisation.objects.filter(slug=self.slug)
                if self.pk is not None:
                    taken = taken.exclude(pk=self.pk)
                if attempt == SLUG_ATTEMPTS - 1 or not taken.exists():
                    raise  # not the slug (or out of luck): the caller's error
                self.slug = f"{_slug_base(self.name)}-{_suffix()}"
        return None


class OrganisationSlugHistory(models.Model):
    """A slug an organisation used before it was renamed; old links redirect from it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="previous_slugs"
    )
    slug = models.SlugField(_("previous slug"), max_length=SLUG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        verbose_name = _("previous organisation slug")
        verbose_name_plural = _("previous organisation slugs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.slug} → {self.organisation.slug}"


def unique_organisation_slug(name: str, exclude: Organisation | None = None) -> str:
    """A slug for ``name`` that no other organisation uses now or used before."""
    base = _slug_base(name)
    candidate = base
    while _slug_taken(candidate, exclude):
        candidate = f"{base}-{_suffix()}"
    return candidate


def _slug_base(name: str) -> str:
    return slugify(name)[:180] or "organisation"


def _suffix() -> str:
    return get_random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789")


def _slug_taken(slug: str, exclude: Organisation | None) -> bool:
    others = Organisation.objects.filter(slug=slug)
    history = OrganisationSlugHistory.objects.filter(slug=slug)
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
        history = history.exclude(organisation_id=exclude.pk)
    return others.exists() or history.exists()


def organisation_for_slug(slug: str, queryset=None) -> tuple[Organisation | None, bool]:
    """The organisation a slug names, and whether it is its current slug.

    ``(organisation, True)`` for a current slug, ``(organisation, False)`` for a
    slug it had before a rename (answer with a permanent redirect), ``(None, False)``
    when no organisation ever had it. ``queryset`` narrows the organisations that
    count (e.g. those with a published plan). At most two queries.
    """
    organisations = queryset if queryset is not None else Organisation.objects.all()
    organisation = organisations.filter(slug=slug).first()
    if organisation is not None:
        return organisation, True
    organisation = organisations.filter(previous_slugs__slug=slug).first()
    return organisation, False


class OrganisationRole(models.Model):
    """A user's role in an organisation: admin (manages it) or staff."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        STAFF = "staff", _("Staff")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="roles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pledges_roles"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation role")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="pledges_one_role_per_user_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.organisation}"
