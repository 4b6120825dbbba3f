"""An email's template context as JSON, so the outbox row can be rendered later.

:func:`pack` turns what ``notify`` builds (model instances, dates, strings, numbers,
lists and dicts of them) into JSON: a model instance becomes a reference
(``{"$model": "app_label.model", "pk": …}``), a date ``{"$date": "…"}``. The sender
:func:`unpack`\\ s it when it renders: each model is read again then (one query per
model), so the email shows the object as it is at sending time. An object deleted
in between raises :class:`Gone`: the message is not sent (see ``delivery``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.functional import Promise


class Gone(Exception):
    """An object the email is about no longer exists."""


def pack(value: Any) -> Any:
    if isinstance(value, models.Model):
        if value.pk is None:
            raise TypeError(f"An unsaved {type(value).__name__} cannot go in an email context")
        pk = value.pk if isinstance(value.pk, int) else str(value.pk)
        return {"$model": value._meta.label_lower, "pk": pk}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Promise):  # a lazy translation: as it reads now
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a SafeString is packed as plain text
    if isinstance(value, list | tuple):
        return [pack(item) for item in value]
    if isinstance(value, dict):
        return {str(key): pack(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__name__} cannot go in an email context: pass ids "
                    "and plain values")


def unpack(packed: Any, loaded: dict | None = None) -> Any:
    """The context again, with every referenced object read (one query per model).

    ``loaded``: objects already read by :func:`load` for many contexts at once.
    """
    if loaded is None:
        loaded = load([packed])
    return _restore(packed, loaded)


def load(contexts) -> dict:
    """Read the objects many packed contexts refer to: one query per model for all
    of them. Objects that no longer exist are simply missing (see :class:`Gone`)."""
    wanted: dict[str, set] = defaultdict(set)
    for packed in contexts:
        _references(packed, wanted)
    loaded = {}
    for label, pks in wanted.items():
        model = apps.get_model(label)
        for obj in model._base_manager.filter(pk__in=pks):
            loaded[label, str(obj.pk)] = obj
    return loaded


def _references(value, wanted) -> None:
    if isinstance(value, dict):
        if "$model" in value:
            wanted[value["$model"]].add(value["pk"])
            return
        for item in value.values():
            _references(item, wanted)
    elif isinstance(value, list):
        for item in value:
            _references(item, wanted)


def _restore(value, loaded):
    if isinstance(value, dict):
        if "$model" in value:
            found = loaded.get((value["$model"], str(value["pk"])))
            if found is None:
                model = apps.get_model(value["$model"])
                raise Gone(f"{model._meta.verbose_name} {value['pk']} was deleted before "
                           "the email was sent")
            return found
        if "$date" in value:
            return datetime.date.fromisoformat(value["$date"])
        if "$datetime" in value:
            return datetime.datetime.fromisoformat(value["$datetime"])
        return {key: _restore(item, loaded) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, loaded) for item in value]
    return value
