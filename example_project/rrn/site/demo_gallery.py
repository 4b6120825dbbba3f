"""A members-only photo on a public page: what restricted images look like.

The "Workshop gallery" page is public, but its photo sits in the members-only
"Member photos" collection: the page's ``<img>`` points at the policy-checked
``/pledges/files/…`` URL, so a visitor who is not a member gets no image bytes (a
sign-in redirect or a 403), and nothing of it is under ``/media/``.
"""

from __future__ import annotations

import io
import json

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model

from rrn.site.models import StandardPage

PHOTO_TITLE = "Debrief workshop, Birmingham"


def photo_bytes() -> bytes:
    """A 640×360 PNG: a 'workshop' of circles round a table, drawn with Pillow."""
    picture = PILImage.new("RGB", (640, 360), (233, 240, 236))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((220, 120, 420, 240), fill=(141, 110, 80))
    for x, y in ((200, 90), (320, 70), (440, 90), (180, 230), (320, 260), (460, 230)):
        draw.ellipse((x - 28, y - 28, x + 28, y + 28), fill=(37, 99, 135))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def build_gallery(child, home, members_collection):
    """The restricted photo, its rendition, and the public page that shows it."""
    Image = get_image_model()
    photo = Image.objects.filter(collection=members_collection, title=PHOTO_TITLE).first()
    if photo is None:
        photo = Image(title=PHOTO_TITLE, collection=members_collection,
                      file=ImageFile(io.BytesIO(photo_bytes()), name="debrief-workshop.png"))
        photo.save()
    # The rendition Wagtail's ImageBlock renders ("original"), made now so the demo
    # has one on disk: in the private folder, like the original.
    photo.get_rendition("original")
    child(home, StandardPage(
        title="Workshop gallery", slug="workshop-gallery",
        intro="Photos from our members' debrief workshops.",
        body=json.dumps([
            {"type": "paragraph", "value": "<p>Members met in Birmingham to practise "
                                           "debriefing after an incident.</p>"},
            {"type": "image", "value": {"image": photo.pk, "alt_text": "Members seated "
                                        "round a table at a debrief workshop",
                                        "decorative": False}},
        ]),
    ))
    return photo
