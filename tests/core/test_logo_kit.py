"""The logo kit: who may download, terms once per organisation, the download log."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from tests import factories
from wagtail_pledges import lifecycle, logo_kit
from wagtail_pledges.models import (
    LogoDownload,
    LogoKit,
    LogoKitFile,
    LogoTermsAcceptance,
    OrganisationRole,
)

pytestmark = pytest.mark.django_db
LOGO_BYTES = b"\x89PNG\r\n\x1a\nnot really a logo"


def private_collection(name="Logo kit"):
    collection = Collection.get_first_root_node().add_child(name=name)
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get_or_create(name="Editors")[0])
    return collection


def document(collection, name="logo.png"):
    return get_document_model().objects.create(
        title=name, collection=collection, file=ContentFile(LOGO_BYTES, name=name))


@pytest.fixture
def kit(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    kit = LogoKit.objects.create(title="RRN member logo", guidance="<p>Keep it clear.</p>",
                                 terms="<p>Use it only while you are a member.</p>")
    kit_file = LogoKitFile.objects.create(kit=kit, label="Logo, colour, PNG",
                                          document=document(private_collection()))
    return kit, kit_file


@pytest.fixture
def member_org():
    plan = factories.approved_plan()
    staff = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=plan.organisation, user=staff, role="staff")
    return plan.organisation, plan.created_by, staff


def download_url(organisation, kit_file):
    return f"/pledges/organisations/{organisation.pk}/logo-kit/{kit_file.pk}/"


def accept_url(organisation):
    return f"/pledges/organisations/{organisation.pk}/logo-kit/accept/"


def accept(client, admin, organisation):
    client.force_login(admin)
    return client.post(accept_url(organisation), {"accept": "yes"})


def assert_private(response):
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]


# -- who may download -----------------------------------------------------------------


def test_admin_and_staff_of_an_active_member_download_after_terms(client, kit, member_org):
    _kit, kit_file = kit
    organisation, admin, staff = member_org
    assert accept(client, admin, organisation).status_code == 302
    for person in (admin, staff):
        client.force_login(person)
        response = client.get(download_url(organisation, kit_file))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == LOGO_BYTES
        assert response["Content-Disposition"].startswith("attachment")
        assert_private(response)
    logged = LogoDownload.objects.order_by("pk")
    assert [(d.user, d.organisation, d.document) for d in logged] == [
        (admin, organisation, kit_file.document), (staff, organisation, kit_file.document)]


def test_anonymous_is_sent_to_sign_in(client, kit, member_org):
    _kit, kit_file = kit
    organisation, admin, _staff = member_org
    accept(client, admin, organisation)
    client.logout()
    response = client.get(download_url(organisation, kit_file))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert_private(response)
    assert not LogoDownload.objects.exists()


@pytest.mark.parametrize("who", ["non_member", "individual_member", "other_org_admin"])
def test_people_outside_the_organisation_are_refused(client, kit, member_org, who):
    _kit, kit_file = kit
    organisation, admin, _staff = member_org
    accept(client, admin, organisation)
    person = {
        "non_member": lambda: factories.UserFactory(verified=True),
        "individual_member": lambda: factories.active_individual().user,
        "other_org_admin": lambda: factories.approved_plan().created_by,
    }[who]()
    client.force_login(person)
    response = client.get(download_url(organisation, kit_file))
    assert response.status_code == 403
    assert_private(response)
    assert LOGO_BYTES not in response.content
    assert not LogoDownload.objects.exists()


def test_access_ends_when_the_organisation_lapses(client, kit, member_org):
    _kit, kit_file = kit
    organisation, admin, staff = member_org
    accept(client, admin, organisation)
    assert client.get(download_url(organisation, kit_file)).status_code == 200
    lifecycle.lapse(organisation.membership)
    for person in (admin, staff):
        client.force_login(person)
        response = client.get(download_url(organisation, kit_file))
        assert response.status_code == 403
    assert LogoDownload.objects.count() == 1
    client.force_login(admin)
    body = client.get("/pledges/").content.decode()
    assert "Logo, colour, PNG" not in body and "RRN member logo" not in body


def test_conditional_requests_from_refused_users_are_refused_the_same(client, kit, member_org):
    _kit, kit_file = kit
    organisation, admin, _staff = member_org
    accept(client, admin, organisation)
    allowed = client.get(download_url(organisation, kit_file))
    assert "ETag" not in allowed and "Last-Modified" not in allowed
    client.force_login(factories.UserFactory(verified=True))
    plain = client.get(download_url(organisation, kit_file))
    conditional = client.get(download_url(organisation, kit_file),
                             HTTP_IF_NONE_MATCH="*",
                             HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2035 00:00:00 GMT")
    assert plain.status_code == conditional.status_code == 403
    assert plain.content == conditional.content
    assert_private(conditional)


def test_download_needs_the_terms_accepted_first(client, kit, member_org):
    _kit, kit_file = kit
    organisation, _admin, staff = member_org
    client.force_login(staff)
    response = client.get(download_url(organisation, kit_file))
    assert response.status_code == 403 and b"accept the logo terms" in response.content
    assert not LogoDownload.objects.exists()


def test_changed_terms_are_accepted_again_and_both_versions_stay_on_record(client, kit,
                                                                          member_org):
    """Issue 9: an acceptance is of a version of the terms, kept with its text."""
    logo, kit_file = kit
    organisation, admin, staff = member_org
    assert accept(client, admin, organisation).status_code == 302
    first = LogoTermsAcceptance.objects.get()
    assert first.terms == "<p>Use it only while you are a member.</p>"
    assert len(first.terms_digest) == 64
    client.force_login(staff)
    assert client.get(download_url(organisation, kit_file)).status_code == 200

    logo.terms = "<p>Use it only while you are a member, and never <b>stretched</b>.</p>"
    logo.save()
    response = client.get(download_url(organisation, kit_file))
    assert response.status_code == 403 and b"accept the logo terms" in response.content
    dashboard = client.get("/pledges/").content.decode()
    assert "accepted the terms of use on" not in dashboard
    assert accept(client, admin, organisation).status_code == 302
    assert accept(client, admin, organisation).status_code == 302  # double post
    client.force_login(staff)
    assert client.get(download_url(organisation, kit_file)).status_code == 200
    versions = list(LogoTermsAcceptance.objects.order_by("accepted_at", "pk")
                    .values_list("terms", flat=True))
    assert versions == ["<p>Use it only while you are a member.</p>", logo.terms]


def test_the_migration_takes_earlier_acceptances_as_of_the_current_terms(kit, member_org):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("wagtail_pledges.migrations.0011_logo_terms_version")
    organisation, admin, _staff = member_org
    row = LogoTermsAcceptance.objects.create(organisation=organisation, user=admin)
    migration.terms_of_existing_acceptances(apps, None)
    row.refresh_from_db()
    assert row.terms == kit[0].terms
    assert row.terms_digest == logo_kit.terms_digest(kit[0])
    assert logo_kit.terms_accepted(organisation)


def test_a_file_outside_the_kit_is_404(client, kit, member_org):
    _kit, _kit_file = kit
    organisation, admin, _staff = member_org
    accept(client, admin, organisation)
    other_kit = LogoKit.objects.create(title="Old kit", terms="<p>Old</p>")
    stray = LogoKitFile.objects.create(kit=other_kit, label="Old logo",
                                       document=document(private_collection("Old")))
    assert client.get(download_url(organisation, stray)).status_code == 404
    assert client.get(f"/pledges/organisations/{organisation.pk}/logo-kit/999999/"
                      ).status_code == 404


def test_post_to_download_is_not_allowed(client, kit, member_org):
    _kit, kit_file = kit
    organisation, admin, _staff = member_org
    client.force_login(admin)
    assert client.post(download_url(organisation, kit_file)).status_code == 405


# -- terms ------------------------------------------------------------------------------


def test_terms_accepted_once_per_organisation_with_who_and_when(client, kit, member_org):
    organisation, admin, _staff = member_org
    second_admin = factories.UserFactory(verified=True)
    OrganisationRole.objects.create(organisation=organisation, user=second_admin, role="admin")
    assert accept(client, admin, organisation).status_code == 302
    assert accept(client, admin, organisation).status_code == 302  # double post
    assert accept(client, second_admin, organisation).status_code == 302
    acceptance = LogoTermsAcceptance.objects.get()
    assert acceptance.organisation == organisation and acceptance.user == admin
    assert acceptance.accepted_at is not None


def test_accept_terms_survives_a_race(member_org, monkeypatch):
    """Two requests both read "not accepted yet": the loser returns the winner's row."""
    organisation, admin, _staff = member_org
    first = logo_kit.accept_terms(admin, organisation)
    real = LogoTermsAcceptance.objects.get_or_create

    def racing_get_or_create(**kwargs):
        from django.db import IntegrityError
        raise IntegrityError("unique")

    monkeypatch.setattr(LogoTermsAcceptance.objects, "get_or_create", racing_get_or_create)
    assert logo_kit.accept_terms(admin, organisation) == first
    monkeypatch.setattr(LogoTermsAcceptance.objects, "get_or_create", real)
    assert LogoTermsAcceptance.objects.count() == 1


def test_staff_cannot_accept_terms_and_unticked_box_is_a_form_error(client, kit, member_org):
    organisation, admin, staff = member_org
    client.force_login(staff)
    assert client.post(accept_url(organisation), {"accept": "yes"}).status_code == 403
    client.force_login(admin)
    response = client.post(accept_url(organisation), {})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert not LogoTermsAcceptance.objects.exists()


def test_lapsed_admin_cannot_accept_terms(client, kit, member_org):
    organisation, admin, _staff = member_org
    lifecycle.lapse(organisation.membership)
    response = accept(client, admin, organisation)
    assert response.status_code == 403
    assert not LogoTermsAcceptance.objects.exists()


def test_accept_needs_post_and_sign_in(client, kit, member_org):
    organisation, admin, _staff = member_org
    response = client.post(accept_url(organisation), {"accept": "yes"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(admin)
    assert client.get(accept_url(organisation)).status_code == 405


def test_accept_is_csrf_protected(kit, member_org):
    from django.test import Client

    organisation, admin, _staff = member_org
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(accept_url(organisation), {"accept": "yes"}).status_code == 403
    assert not LogoTermsAcceptance.objects.exists()


# -- the dashboard -----------------------------------------------------------------------


def test_dashboard_shows_terms_then_files(client, kit, member_org):
    organisation, admin, staff = member_org
    client.force_login(staff)
    body = client.get("/pledges/").content.decode()
    assert "Use it only while you are a member." in body
    assert "An admin of your organisation must accept" in body
    assert 'name="accept"' not in body
    client.force_login(admin)
    body = client.get("/pledges/").content.decode()
    assert 'name="accept"' in body and "Keep it clear." in body
    accept(client, admin, organisation)
    body = client.get("/pledges/").content.decode()
    assert download_url(organisation, kit[1]) in body and 'name="accept"' not in body


def test_dashboard_without_a_kit_shows_no_kit(client, member_org):
    _organisation, admin, _staff = member_org
    client.force_login(admin)
    response = client.get("/pledges/")
    assert response.status_code == 200 and "logo-kit-" not in response.content.decode()


def test_non_member_dashboard_has_no_kit(client, kit):
    plan = factories.submitted_plan()
    client.force_login(plan.created_by)
    assert "Use it only while you are a member." not in client.get("/pledges/").content.decode()


# -- the kit's files must not be public ---------------------------------------------------


def test_kit_file_in_a_public_collection_is_rejected(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    kit = LogoKit.objects.create(terms="<p>T</p>")
    public = document(Collection.get_first_root_node())
    with pytest.raises(ValidationError) as error:
        LogoKitFile(kit=kit, label="Logo", document=public).full_clean()
    assert "document" in error.value.message_dict
    LogoKitFile(kit=kit, label="Logo", document=document(private_collection())).full_clean()


def test_wagtail_document_view_refuses_the_kit_file_to_members(client, kit, member_org):
    _kit, kit_file = kit
    _organisation, admin, _staff = member_org
    client.force_login(admin)
    response = client.get(kit_file.document.url)
    assert response.status_code != 200 or LOGO_BYTES not in b"".join(
        getattr(response, "streaming_content", [response.content]))


def test_approval_email_points_organisations_to_the_kit_and_verification(outbox):
    from wagtail_pledges.models import OutboxMessage

    plan = factories.approved_plan()
    message = OutboxMessage.objects.get(template="approved")
    assert f"#logo-kit-{plan.organisation.pk}" in message.render().text
    assert f"/pledges/verify/{plan.organisation.slug}/" in message.render().text
    pledge = factories.active_individual()
    individual = OutboxMessage.objects.get(template="approved", to=pledge.user.email)
    assert "logo" not in individual.render().text


def test_a_kit_file_missing_from_storage_is_404_and_not_logged(client, kit, member_org):
    _kit, kit_file = kit
    organisation, admin, _staff = member_org
    accept(client, admin, organisation)
    kit_file.document.file.storage.delete(kit_file.document.file.name)
    assert client.get(download_url(organisation, kit_file)).status_code == 404
    assert not LogoDownload.objects.exists()


def test_the_admin_export_of_acceptances_carries_the_terms_version(client, kit, member_org):
    from tests.factories import UserFactory

    organisation, admin, _staff = member_org
    accept(client, admin, organisation)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/pledges/logo-terms/")
    assert listing.status_code == 200 and organisation.name in listing.content.decode()
    export = client.get("/admin/pledges/logo-terms/?export=csv")
    body = b"".join(export.streaming_content if export.streaming else [export.content])
    assert LogoTermsAcceptance.objects.get().terms_digest in body.decode()
