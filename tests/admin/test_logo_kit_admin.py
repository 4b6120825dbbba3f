"""Editors manage the logo kit in the admin; the acceptances and download log are
read-only listings."""

import pytest
from django.urls import reverse
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from tests import factories
from tests.core.test_logo_kit import document, private_collection
from wagtail_pledges import logo_kit
from wagtail_pledges.models import LogoDownload, LogoKit, LogoTermsAcceptance

pytestmark = pytest.mark.django_db


def url(model, name, *args):
    return reverse(model.snippet_viewset.get_url_name(name), args=args)


def kit_form(doc):
    return nested_form_data({
        "title": "RRN member logo",
        "guidance": rich_text("<p>Keep clear space around it.</p>"),
        "terms": rich_text("<p>Only while you are a member.</p>"),
        "files": inline_formset([{"label": "Logo, colour", "document": doc.pk}]),
    })


def test_editor_adds_a_kit_but_not_with_a_public_file(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(editor)
    public = document(Collection.get_first_root_node(), "public.png")
    response = client.post(url(LogoKit, "add"), kit_form(public))
    assert response.status_code == 200 and not LogoKit.objects.exists()
    assert "anyone can download from" in response.content.decode()
    private = document(private_collection(), "private.png")
    response = client.post(url(LogoKit, "add"), kit_form(private))
    assert response.status_code == 302
    kit = logo_kit.current_kit()
    assert [f.document for f in kit.files.all()] == [private]


def test_acceptances_and_downloads_are_read_only(client, editor, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    plan = factories.approved_plan()
    acceptance = LogoTermsAcceptance.objects.create(organisation=plan.organisation,
                                                    user=plan.created_by)
    LogoDownload.objects.create(organisation=plan.organisation, user=plan.created_by,
                                document=document(private_collection(), "dl.png"))
    client.force_login(editor)
    for model in (LogoTermsAcceptance, LogoDownload):
        response = client.get(url(model, "list"))
        assert response.status_code == 200
        assert plan.organisation.name in response.content.decode()
        assert client.get(url(model, "add")).status_code == 302
    assert client.get(url(LogoTermsAcceptance, "edit", acceptance.pk)).status_code == 302
    export = client.get(url(LogoDownload, "list") + "?export=csv")
    assert "dl.png" in b"".join(export.streaming_content).decode()
