"""Which background-task framework this Django line uses — decided here, once.

Django 6 ships ``django.tasks``; on Django 5.2 the ``django-tasks`` backport (which
Wagtail 8 depends on) is the same API. Both read the one ``TASKS`` setting, and both
``@task`` decorators build their tasks with the *configured backend's* task class, so
the backends ``TASKS`` names decide which framework every task belongs to — ours and
Wagtail's alike. Third-party backends follow the Django line too: ``django-tasks-db``
is a ``django.tasks`` backend on Django 6 and a backport one on 5.2, and its
``db_worker`` runs only tasks of its own framework.

So a site names the built-in backends of its Django line. Settings modules can import
this module (it loads no models)::

    from wagtail_pledges.task_framework import task_backend

    TASKS = {"default": {"BACKEND": task_backend("immediate")}}

Check ``wagtail_pledges.W014`` warns when ``TASKS`` names the other framework's
built-in backends.
"""

from __future__ import annotations

import django

#: ``"django.tasks"`` on Django 6 and later, ``"django_tasks"`` (the backport) before.
TASKS_PACKAGE = "django.tasks" if django.VERSION >= (6, 0) else "django_tasks"
OTHER_PACKAGE = "django_tasks" if TASKS_PACKAGE == "django.tasks" else "django.tasks"

_BUILT_IN = {"immediate": "ImmediateBackend", "dummy": "DummyBackend"}


def task_backend(name: str) -> str:
    """The dotted path of a built-in backend, ``"immediate"`` or ``"dummy"``, for the
    framework of the running Django line."""
    try:
        cls = _BUILT_IN[name]
    except KeyError:
        raise ValueError(f"Unknown built-in task backend {name!r}; "
                         f"choose one of {sorted(_BUILT_IN)}.") from None
    return f"{TASKS_PACKAGE}.backends.{name}.{cls}"


def foreign_backends(tasks_setting) -> list[tuple[str, str]]:
    """``(alias, backend)`` for each backend in ``TASKS`` that belongs to the other
    Django line's framework."""
    if not isinstance(tasks_setting, dict):
        return []
    return [(alias, str(options.get("BACKEND", "")))
            for alias, options in tasks_setting.items()
            if isinstance(options, dict)
            and str(options.get("BACKEND", "")).startswith(OTHER_PACKAGE + ".")]
