"""What every endpoint shares: no REST_FRAMEWORK setting needed, one problem format,
throttles, cursor pagination within the query budget, the docs page, CORS."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client, override_settings
from knox.models import AuthToken

from tests import factories
from wagtail_pledges import checks
from wagtail_pledges.api.problems import problem_exception_handler
from wagtail_pledges.conf import pledges_settings
from wagtail_pledges.lifecycle import TransitionError

pytestmark = pytest.mark.django_db
API = "/api/pledges/v1/"
PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}

# A site whose REST_FRAMEWORK would break an API that relied on it.
HOSTILE_REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "rest_framework.schemas.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_THROTTLE_RATES": {},
    "PAGE_SIZE": 1,
}


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    return body


@pytest.mark.parametrize("rest_framework", [None, HOSTILE_REST_FRAMEWORK])
def test_schema_and_lists_need_no_rest_framework_setting(client, rest_framework, settings):
    if rest_framework is None:
        del settings.REST_FRAMEWORK
    else:
        settings.REST_FRAMEWORK = rest_framework
    factories.approved_plan()
    schema = client.get(API + "schema/?format=json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    plans = client.get(API + "plans/")
    assert plans.status_code == 200 and len(plans.json()["results"]) == 1
    problem(client.get(API + "plans/?sector=nope"), 400)


def test_schema_names_the_bearer_token_and_only_our_paths(client):
    schema = client.get(API + "schema/?format=json").json()
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer"}
    assert {API + "auth/token/", API + "auth/tokens/", API + "auth/tokens/{token_key}/",
            API + "auth/tokens/revoke-all/"} <= set(schema["paths"])
    assert all(path.startswith(API) for path in schema["paths"])
    assert schema["info"]["title"] == "wagtail-pledges API"


def test_docs_page_serves_swagger_ui_from_static_files(client):
    response = client.get(API + "docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/wagtail_pledges/api/swagger-init.js" in html
    assert f'data-schema-url="{API}schema/"' in html
    assert "<script>" not in html  # no inline script
    assert "https://" not in html  # nothing from a CDN


# -- the problem format -----------------------------------------------------------------


def test_validation_problem_names_each_field(client):
    body = problem(client.get(API + "plans/?sector=nope&strategy=nope"), 400)
    assert body["type"] == "urn:wagtail-pledges:problem:invalid"
    assert set(body["errors"]) == {"sector", "strategy"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


def test_not_found_and_not_authenticated_problems(client):
    body = problem(client.get(API + "plans/999999/"), 404)
    assert body["type"].endswith(":not_found") and body["errors"] == {}
    body = problem(client.get(API + "me/"), 401)
    assert body["type"].endswith(":not_authenticated")


def test_method_not_allowed_problem(client):
    body = problem(client.post(API + "counts/"), 405)
    assert body["type"].endswith(":method_not_allowed")


@pytest.mark.parametrize("exc, status, code, errors", [
    (TransitionError("Only a draft can be submitted."), 409, "conflict", {}),
    (PermissionDenied("Only an admin of the organisation may do this."), 403,
     "permission_denied", {}),
    (DjangoValidationError({"target_date": ["Too late."]}), 400, "invalid",
     {"target_date": ["Too late."]}),
    (DjangoValidationError("Watch both videos first."), 400, "invalid",
     {"non_field_errors": ["Watch both videos first."]}),
])
def test_service_errors_become_problems(exc, status, code, errors):
    response = problem_exception_handler(exc, {})
    assert response.status_code == status
    assert response.data["type"] == f"urn:wagtail-pledges:problem:{code}"
    assert response.data["errors"] == errors
    if not errors:
        assert response.data["detail"] == str(exc.args[0])


def test_a_real_bug_is_left_to_django_as_a_500():
    assert problem_exception_handler(KeyError("x"), {}) is None


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"read": "2/minute"}})
def test_public_lists_are_throttled_per_address():
    client = Client()
    assert [client.get(API + "strategies/").status_code for _ in range(2)] == [200, 200]
    body = problem(client.get(API + "plans/"), 429)
    assert body["type"].endswith(":throttled") and body["retry_after"] > 0
    # Another address has its own allowance.
    assert Client(REMOTE_ADDR="10.0.0.9").get(API + "plans/").status_code == 200


@override_settings(WAGTAIL_PLEDGES={"API_THROTTLE_RATES": {"read": None}})
def test_a_scope_set_to_none_is_not_throttled(client):
    assert {client.get(API + "sectors/").status_code for _ in range(5)} == {200}


# -- settings and checks ----------------------------------------------------------------


def test_throttle_rates_fill_missing_scopes_from_the_default(settings):
    settings.WAGTAIL_PLEDGES = {"API_THROTTLE_RATES": {"read": None}}
    assert pledges_settings.api_throttle_rates == {
        "read": None, "write": "60/minute", "token": "10/minute"}


@pytest.mark.parametrize("value, ok", [
    ({"read": "10/minute", "write": None}, True), ({"token": "5/s"}, True),
    ({"read": "ten/minute"}, False), ({"read": "10/fortnight"}, False),
    ({"read": "0/minute"}, False), ({"read": 10}, False), ("10/minute", False),
])
def test_throttle_rates_are_checked(settings, value, ok):
    settings.WAGTAIL_PLEDGES = {"API_THROTTLE_RATES": value}
    ids = [e.id for e in checks.check_settings()]
    assert ("wagtail_pledges.E022" not in ids) is ok


@pytest.mark.parametrize("key", ["API_TOKEN_TTL_HOURS", "API_TOKEN_LIMIT_PER_USER"])
def test_token_settings_are_checked(settings, key):
    settings.WAGTAIL_PLEDGES = {key: 0}
    assert "wagtail_pledges.E004" in [e.id for e in checks.check_settings()]


def test_a_missing_app_is_named_with_the_fix(monkeypatch):
    assert checks.check_installed_apps() == []
    installed = checks.apps.is_installed
    gone = {"knox", "wagtail.contrib.routable_page"}
    monkeypatch.setattr(checks.apps, "is_installed",
                        lambda name: name not in gone and installed(name))
    errors = checks.check_installed_apps()
    assert {e.id for e in errors} == {"wagtail_pledges.E021"}
    assert sorted(e.msg for e in errors) == [
        "'wagtail_pledges' needs 'wagtail.contrib.routable_page' in INSTALLED_APPS.",
        "'wagtail_pledges.api' needs 'knox' in INSTALLED_APPS.",
    ]
    assert "Add 'knox' to INSTALLED_APPS" in errors[-1].hint or "Add 'knox'" in errors[0].hint


# -- lists: cursor pagination and the query budget --------------------------------------


def test_plans_page_through_with_cursors_alphabetically(client):
    for _ in range(5):
        factories.approved_plan()
    seen, url, pages = [], API + "plans/?page_size=2", 0
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [p["organisation"]["name"] for p in body["results"]]
        url, pages = body["next"], pages + 1
    assert len(seen) == 5 and seen == sorted(seen) and pages == 3
    assert client.get(API + "plans/?page_size=1000").json()["results"].__len__() == 5


LISTS = ["plans/", "strategies/", "practices/", "sectors/", "locations/"]


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize("path", LISTS)
def test_public_lists_stay_within_four_queries(client, django_assert_max_num_queries,
                                               path, page_size):
    for _ in range(3):
        factories.approved_plan()
    with django_assert_max_num_queries(4):
        response = client.get(f"{API}{path}?page_size={page_size}")
    assert response.status_code == 200


@pytest.mark.parametrize("page_size", [1, 100])
def test_token_list_stays_within_four_queries(django_assert_max_num_queries, page_size):
    member = factories.UserFactory(verified=True)
    tokens = [AuthToken.objects.create(member)[1] for _ in range(5)]
    client = Client()
    with django_assert_max_num_queries(4):
        response = client.get(f"{API}auth/tokens/?page_size={page_size}",
                              HTTP_AUTHORIZATION=f"Bearer {tokens[0]}")
    assert len(response.json()) == 5


# -- CORS: a front end on another origin ------------------------------------------------


def test_a_front_end_on_another_origin_can_call_the_api(settings):
    settings.MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", *settings.MIDDLEWARE]
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    settings.CORS_URLS_REGEX = r"^/api/pledges/.*$"
    member = factories.UserFactory(verified=True)
    token = AuthToken.objects.create(member)[1]
    client = Client()
    preflight = client.options(
        API + "me/", HTTP_ORIGIN="https://app.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization")
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    response = client.get(API + "me/", HTTP_ORIGIN="https://app.example.org",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.org"
    other = client.get(API + "counts/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other


# -- every view: explicit permissions, a valid schema -----------------------------------


def _our_views():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "cls", None) or getattr(
                    pattern.callback, "view_class", None)
                if view and view.__module__.startswith("wagtail_pledges.api"):
                    yield view

    resolver = get_resolver()
    [api] = [p for p in resolver.url_patterns
             if isinstance(p, URLResolver) and p.namespace == "wagtail_pledges_api"]
    return set(walk(api.url_patterns))


def test_every_api_view_names_its_permission_classes():
    from rest_framework.views import APIView

    from wagtail_pledges.api.base import PledgesAPIMixin, RefuseUndeclared

    views = [v for v in _our_views() if issubclass(v, APIView)]
    assert len(views) >= 10
    for view in views:
        if view.__name__ == "PledgesSchemaView":
            continue
        assert issubclass(view, PledgesAPIMixin), view
        assert RefuseUndeclared not in view.permission_classes, view


def test_the_schema_is_valid_openapi(client):
    from drf_spectacular.validation import validate_schema

    validate_schema(client.get(API + "schema/?format=json").json())
