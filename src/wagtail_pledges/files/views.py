"""The policy-checked ways to a restricted file.

- :class:`PrivateFileView` — ``/pledges/files/<name>``: the URL the private storage
  gives every restricted document, image original and rendition (so ``{% image %}``
  and ``document.url`` point here).
- :func:`serve_restricted_document` — Wagtail's ``before_serve_document`` hook: the
  document URL ``/documents/<id>/<filename>`` of a restricted collection.
- :class:`GatedImageServeView` — Wagtail's signed dynamic image URL, with the same
  check for images of restricted collections.
"""

from __future__ import annotations

import posixpath

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import View
from wagtail.documents import get_document_model
from wagtail.documents.models import document_served
from wagtail.images import get_image_model
from wagtail.images.utils import verify_signature
from wagtail.images.views.serve import ServeView

from .access import check_access
from .placement import collection_is_restricted, rendition_model
from .serving import gate, refusal_response, serve_file
from .storage import is_private_name, private_name


def _serve_document(request, document):
    document_served.send(sender=type(document), instance=document, request=request)
    return serve_file(
        request, document.file, filename=document.filename,
        content_type=document.content_type,
        attachment=document.content_disposition != "inline", etag=document.file_hash or None,
    )


def serve_restricted_document(document, request):
    """``before_serve_document`` hook, registered ahead of Wagtail's own check.

    A document of a restricted collection is checked against the policy here. Wagtail
    only takes an ``HttpResponse`` from this hook (not a streamed file), so an
    accepted visitor is sent on to the private-file URL, which checks again and
    streams the file; both responses are private. Any other document is Wagtail's.
    """
    if not collection_is_restricted(document.collection_id):
        return None
    refusal, restriction = check_access(request, document)
    if refusal is not None:
        return refusal_response(request, refusal, restriction)
    if not is_private_name(document.file.name):
        return None  # CollectionPrivacyStorage is not installed: check W010 says so
    return gate(HttpResponseRedirect(document.file.url))


class PrivateFileView(View):
    """Serve a file kept in the private storage, to those the policy allows."""

    http_method_names = ["get", "head"]

    def get(self, request, name: str):
        stored = private_name(name)
        Rendition = rendition_model()
        rendition = Rendition.objects.select_related("image").filter(file=stored).first()
        if rendition is not None:
            image = rendition.image
            return self._checked(
                request, image, lambda: serve_file(
                    request, rendition.file, filename=posixpath.basename(stored),
                    etag=f"{image.file_hash}-{rendition.filter_spec}-{rendition.focal_point_key}",
                ))
        image = get_image_model().objects.filter(file=stored).first()
        if image is not None:
            return self._checked(
                request, image, lambda: serve_file(
                    request, image.file, filename=posixpath.basename(stored),
                    etag=image.file_hash or None,
                ))
        document = get_document_model().objects.filter(file=stored).first()
        if document is not None:
            return self._checked(request, document, lambda: _serve_document(request, document))
        raise Http404("No such file.")

    def _checked(self, request, item, respond):
        refusal, restriction = check_access(request, item)
        if refusal is not None:
            return refusal_response(request, refusal, restriction)
        return respond()


class GatedImageServeView(ServeView):
    """Wagtail's ``ServeView`` (signed URLs), asking the policy for restricted images.

    Mount it under Wagtail's URL name instead of ``wagtail.images.views.serve`` (the
    last part accepts slashes: Wagtail appends the stored name after
    ``original_images/``, and a restricted image's name is longer)::

        re_path(r"^images/([^/]*)/(\\d*)/([^/]*)/.*$",
                GatedImageServeView.as_view(), name="wagtailimages_serve"),
    """

    def get(self, request, signature, image_id, filter_spec, filename=None):
        if not verify_signature(signature.encode(), image_id, filter_spec, key=self.key):
            raise PermissionDenied
        image = get_object_or_404(self.model, id=image_id)
        if not collection_is_restricted(image.collection_id):
            return super().get(request, signature, image_id, filter_spec, filename)
        refusal, restriction = check_access(request, image)
        if refusal is not None:
            return refusal_response(request, refusal, restriction)
        return gate(super().get(request, signature, image_id, filter_spec, filename))
