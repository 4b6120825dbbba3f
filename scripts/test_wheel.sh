#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtualenv beside a brand-new `wagtail start`
# site, add our apps and URLs, migrate, check, and serve requests. Catches templates,
# static files and migrations missing from the package data.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== building wheel"
"$here/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$here" >/dev/null
wheel=$(ls "$work"/dist/wagtail_pledges-*.whl)
echo "   $(basename "$wheel")"
"$here/.venv/bin/python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); sys.exit(0 if sys.argv[2] in names else \"missing from wheel: \" + sys.argv[2])" "$wheel" "wagtail_pledges/migrations/0001_initial.py"
"$here/.venv/bin/python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); sys.exit(0 if sys.argv[2] in names else \"missing from wheel: \" + sys.argv[2])" "$wheel" "wagtail_pledges/templates/wagtail_pledges/emails/base.html"

echo "== fresh virtualenv + wagtail start"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip 2>/dev/null
"$work/venv/bin/pip" install --quiet "${wheel}[api]" 2>&1 | grep -v "^WARNING: Location" || true
"$work/venv/bin/python" -c "import wagtail_pledges, rest_framework, drf_spectacular"
cd "$work"
"$work/venv/bin/wagtail" start mysite >/dev/null
cd mysite

cat >> mysite/settings/base.py <<'PY'

INSTALLED_APPS = [
    app for app in [
        "wagtail_pledges",
        "wagtail_pledges.pages",
        "wagtail_pledges.api",
        "rest_framework",
        "drf_spectacular",
        "django_filters",
        "wagtail.contrib.settings",
        "wagtail.contrib.routable_page",
    ] if app not in INSTALLED_APPS
] + INSTALLED_APPS
WAGTAIL_PLEDGES = {"COMMITMENT_PERIOD_MONTHS": 24}
STORAGES["default"] = {"BACKEND": "wagtail_pledges.files.storage.CollectionPrivacyStorage"}
REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema"}
PY
"$work/venv/bin/python" - <<'PY'
from pathlib import Path
p = Path("mysite/urls.py")
s = p.read_text()
s = s.replace(
    'urlpatterns = [\n',
    'urlpatterns = [\n    path("pledges/", include("wagtail_pledges.urls")),\n'
    '    path("api/pledges/", include("wagtail_pledges.api.urls")),\n',
    1,
)
p.write_text(s)
PY

echo "== migrate, check, collectstatic"
export DJANGO_SETTINGS_MODULE=mysite.settings.dev
"$work/venv/bin/python" manage.py migrate --noinput -v0
"$work/venv/bin/python" manage.py check --fail-level WARNING
"$work/venv/bin/python" manage.py makemigrations --check --dry-run wagtail_pledges wagtail_pledges_pages
"$work/venv/bin/python" manage.py collectstatic --noinput -v0

echo "== serve requests"
"$work/venv/bin/python" manage.py shell -c '
from django.test import Client
c = Client()
for url, expected in [("/", 200), ("/pledges/", 302), ("/api/pledges/v1/schema/", 200)]:
    r = c.get(url)
    assert r.status_code == expected, (url, r.status_code, r.content[:300])
    print("  ", url, r.status_code)
from django.contrib.auth import get_user_model
from wagtail_pledges import lifecycle
u = get_user_model().objects.create_user(username="w", email="w@example.org", password="x")
lifecycle.start_individual(u)
c.force_login(u)
r = c.get("/pledges/")
assert r.status_code == 200 and b"Draft" in r.content, r.content[:500]
print("   /pledges/ (signed in) 200")
'
echo "== built-wheel test passed"
