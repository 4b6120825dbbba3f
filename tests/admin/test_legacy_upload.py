"""The admin upload: preview every bad row, import the valid ones, download the rejects."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from tests.core.test_legacy_import import messy_file
from tests.factories import UserFactory
from wagtail_pledges.models import LegacySignatory

pytestmark = pytest.mark.django_db
URL = "/admin/membership/legacy/import/"


@pytest.fixture
def importer(db):
    person = UserFactory(is_staff=True, verified=True)
    person.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(codename="add_legacysignatory"),
    )
    return person


def upload(client, text, name="export.csv"):
    return client.post(URL, {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def test_url_names():
    assert reverse("wagtail_pledges_admin:legacy_upload") == URL


@freeze_time("2026-03-01")
def test_preview_import_and_rejects(client, importer):
    text, bad_lines = messy_file()
    client.force_login(importer)
    assert "Import legacy signatories" in client.get("/admin/").content.decode()

    preview = upload(client, text)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert preview.context["preview"].invalid.keys() == bad_lines.keys()
    assert "Import 1985 valid rows" in html
    first_bad = min(bad_lines)
    assert f"<td>{first_bad}</td><td>signed_on</td><td>2028-01-01 is in the future</td>" in html
    assert not LegacySignatory.objects.exists()  # nothing until confirmed

    rejects = client.get(URL + "rejects.csv")
    assert rejects["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(rejects.content.decode())))
    assert [int(r["line"]) for r in rows] == sorted(bad_lines)

    done = client.post(URL, {"confirm": "1", "digest": preview.context["digest"]})
    assert done.status_code == 200
    assert LegacySignatory.objects.count() == 1985
    assert "1985 signatories imported, 0 already there, 15 rows left out" in \
        done.content.decode()

    # Re-uploading the same file changes nothing.
    again = upload(client, text)
    assert again.context["preview"].unchanged == 1985 and not again.context["preview"].new


def test_a_stale_preview_imports_nothing(client, importer):
    client.force_login(importer)
    upload(client, "kind,name,email,organisation,signed_on\nindividual,A,a@example.org,,\n")
    response = client.post(URL, {"confirm": "1", "digest": "not-the-previewed-file"})
    assert response.status_code == 302
    assert not LegacySignatory.objects.exists()


def test_bad_files_are_form_errors(client, importer):
    client.force_login(importer)
    response = client.post(URL, {"file": SimpleUploadedFile("x.csv", "é".encode("latin-1"))})
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    response = upload(client, "name,mail\nA,a@example.org\n")
    assert "expected header: kind,name,email,organisation,signed_on" in response.content.decode()
    assert "Import 0 valid" not in response.content.decode()  # no import button


def test_only_importers_may_upload(client, editor):
    client.force_login(editor)
    assert client.get(URL).status_code == 302
    assert client.get(URL + "rejects.csv").status_code == 302
    assert upload(client, "kind,name,email,organisation,signed_on\n").status_code == 302


def test_campaign_report_per_tier_csv_and_passed_deadline(client, reviewer, settings):
    from django.contrib.auth.models import Group

    from wagtail_pledges import legacy
    from wagtail_pledges.models import LegacyReminder

    settings.WAGTAIL_PLEDGES = {
        "LEGACY_DEADLINE": "2020-09-30",
        "HISTORIC_BASELINE": {"individuals": 1613, "organisations": 375, "label": ""},
    }
    with freeze_time("2020-06-01"):
        legacy.import_signatories("kind,name,email,organisation,signed_on\n"
                                  "individual,Ann,ann@example.org,,2015-01-01\n"
                                  "organisation,Bo,bo@example.org,Hill Trust,2015-01-01\n")
        for signatory in LegacySignatory.objects.all():
            legacy.invite(signatory)
    LegacyReminder.objects.create(signatory=LegacySignatory.objects.get(kind="individual"),
                                  deadline="2020-09-30", wave=30, audience="unclaimed")
    steering = Group.objects.create(name="Steering group")
    steering.user_set.add(UserFactory(first_name="Stella", last_name="Outside", verified=True))

    client.force_login(reviewer)
    response = client.get(reverse("wagtail_pledges_admin:report_legacy_campaign"))
    html = response.content.decode()
    tiers = response.context["campaign"]["tiers"]
    assert (tiers["individual"]["baseline"], tiers["individual"]["imported"],
            tiers["individual"]["invited"], tiers["individual"]["reminded"][30]) == (1613, 1, 1, 1)
    assert tiers["organisation"]["baseline"] == 375 and tiers["organisation"]["reminded"][30] == 0
    # In words, never "-2251 days".
    assert "The deadline to move passed on 30 September 2020" in html
    assert "days left" not in html and "-2" not in html.split("listing")[0]
    assert '<progress id="chart-individual-invited"' in html

    rows = list(csv.reader(io.StringIO(
        client.get(reverse("wagtail_pledges_admin:legacy_campaign_csv")).content.decode())))
    assert rows[0] == ["Measure", "Individual", "Organisation"]
    assert ["Signed the original pledge (baseline)", "1613", "375"] in rows
    assert ["Reminded 30 days before the deadline", "1", "0"] in rows
    assert ["Days left", "0", "0"] in rows

    home = client.get("/admin/").content.decode()
    assert "Invitations are refused until a new LEGACY_DEADLINE is set" in home
    assert "Stella Outside" in home


def test_campaign_csv_needs_permission(client, editor):
    client.force_login(editor)
    assert client.get(reverse("wagtail_pledges_admin:legacy_campaign_csv")).status_code == 302


def test_bulk_invitation_after_the_deadline_is_refused_in_words(client, reviewer, settings):
    from django.contrib.messages import get_messages

    from tests.admin.test_listings_reports import bulk
    from wagtail_pledges.models import OutboxMessage

    settings.WAGTAIL_PLEDGES = {"LEGACY_DEADLINE": "2020-09-30"}
    signatory = LegacySignatory.objects.create(kind="individual", name="Ann",
                                               email="ann@example.org")
    client.force_login(reviewer)
    response = client.post(bulk(LegacySignatory, "invite_legacy", signatory))
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("The deadline to move (30 September 2020) has passed" in m for m in warnings)
    assert not OutboxMessage.objects.exists()
    signatory.refresh_from_db()
    assert signatory.invited_at is None
