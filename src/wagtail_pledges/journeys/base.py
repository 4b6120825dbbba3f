"""What every journey step shares: the ``route`` decorator, one render, form hooks.

A journey is a ``RoutablePageMixin`` page whose sub-routes are its steps. Each step is
declared with :func:`route`, which answers the wrong method with a 405, sends a
signed-out viewer to the login page, and (through :meth:`PrivateRoutesMixin.serve`)
marks every response private and uncacheable, because it shows one person's state.
Steps validate with a form from :meth:`~PrivateRoutesMixin.get_form_class` and call one
service; the rules live in :mod:`wagtail_pledges.lifecycle` and
:mod:`wagtail_pledges.organisations`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers, patch_cache_control
from wagtail.contrib.routable_page.models import RoutablePageMixin


def route(*, login_required: bool = True, methods: Iterable[str] = ("GET", "POST")):
    """Declare a journey step: allowed methods (others get a 405) and sign-in.

    Put it under Wagtail's ``@path``::

        @path("start/", name="start")
        @route(methods=["POST"])
        def start_route(self, request): ...

    ``HEAD`` is allowed wherever ``GET`` is.
    """
    allowed = [method.upper() for method in methods]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.append("HEAD")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def step(self, request, *args, **kwargs):
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            if login_required and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            return view(self, request, *args, **kwargs)

        return step

    return decorator


def private(response):
    """A response about one viewer: never stored by a shared cache, never reused."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def add_service_errors(form, error: ValidationError, fallback_fields=()) -> None:
    """Put a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields and field not in fallback_fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class PrivateRoutesMixin(RoutablePageMixin):
    """A routable page whose every response is about the viewer.

    ``form_classes`` maps a step name to its form (or formset) class; a site swaps one
    by overriding the mapping or :meth:`get_form_class`, as with Wagtail's ``FormMixin``.
    """

    form_classes: dict[str, type] = {}

    def serve(self, request, *args, **kwargs):
        return private(super().serve(request, *args, **kwargs))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["login_url"] = (
            f"{resolve_url(settings.LOGIN_URL)}?next={quote(request.get_full_path())}"
        )
        return context

    def get_form_class(self, step: str) -> type:
        """The form class for ``step`` (a key of ``form_classes``)."""
        return self.form_classes[step]

    def render_step(self, request, template: str | None = None, *, status: int = 200,
                    **context):
        """Render ``template`` (default: the page's own) with ``context``, as ``status``."""
        response = self.render(request, template=template, context_overrides=context)
        response.status_code = status
        return response

    def sub_url(self, request, name: str, *args) -> str:
        """The URL of this page's sub-route ``name``."""
        return self.get_url(request) + self.reverse_subpage(name, args=args)
