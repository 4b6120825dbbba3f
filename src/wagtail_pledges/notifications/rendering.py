"""Rendering an outbox message: its subject, plain text and HTML parts.

Done by the sender (:mod:`.delivery`), not by the transaction that queues the row.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString

from .context import unpack

TEMPLATE_DIR = "wagtail_pledges/emails"
# Keys of a packed context that are not template variables.
LANGUAGE, TIME_ZONE = "$language", "$time_zone"


def html_body(text: str, context: dict) -> SafeString:
    """The plain text as HTML: every character escaped, then only *our* links linked.

    The text part is rendered with autoescape off (it is plain text), so it holds
    whatever a member typed — an organisation name, a reviewer's comment — verbatim.
    It is escaped here as a whole before anything is marked safe; the only markup
    added is an ``<a>`` around the context's own ``*_url`` values (links we built), so
    an address a member typed is never made clickable.
    """
    escaped = escape(str.__str__(text))  # str.__str__: drop a SafeString's "safe" mark
    urls = sorted(
        {escape(v) for k, v in context.items() if k.endswith("_url") and isinstance(v, str) and v},
        key=len, reverse=True,
    )
    if urls:
        pattern = re.compile("|".join(re.escape(u) for u in urls))
        escaped = pattern.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
    return SafeString(escaped)


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and (optional) ``.html``.

    The HTML part is rendered with autoescape on; a site's own ``<template>.html``
    extends ``emails/base.html`` and gets the same escaped ``html_body``.
    """
    subject = render_to_string(f"{TEMPLATE_DIR}/{template}_subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"{TEMPLATE_DIR}/{template}.txt", context)
    frame = {**context, "subject": subject, "html_body": html_body(text, context)}
    try:
        html = render_to_string(f"{TEMPLATE_DIR}/{template}.html", frame)
    except TemplateDoesNotExist:
        # No HTML version of its own: the text, in the site's HTML email frame.
        html = render_to_string(f"{TEMPLATE_DIR}/base.html", frame)
    return subject, str(text), html


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


def render_message(message, loaded: dict | None = None) -> Rendered:
    """What ``message`` (an ``OutboxMessage``) says: as sent (or as queued, rendered,
    before rendering moved to send time), else rendered now from its template and
    context, in the language and time zone it was queued in. Raises
    :class:`~.context.Gone` when an object it is about was deleted since.
    ``loaded``: see :func:`.context.load`."""
    if message.body_text:
        return Rendered(message.subject, message.body_text, message.body_html)
    context = dict(message.context or {})
    language, zone = context.pop(LANGUAGE, None), context.pop(TIME_ZONE, None)
    context = unpack(context, loaded)
    with translation.override(language), timezone.override(zone):
        subject, text, html = render_email(message.template,
                                           {**context, "recipient": message.to})
    return Rendered(subject[:255], text, html)


