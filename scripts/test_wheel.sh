#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtualenv beside a brand-new `wagtail start`
# site, add exactly the apps, settings and URLs README.md gives, migrate, check, and
# serve requests (pages, flows, the API with a token, its schema and docs page). Catches
# templates, static files and migrations missing from the package data, and a README
# that no longer gives a working site.
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
"$work/venv/bin/python" -c "import wagtail_pledges, rest_framework, drf_spectacular, knox, drf_spectacular_sidecar"
cd "$work"
"$work/venv/bin/wagtail" start mysite >/dev/null
cd mysite

# Exactly what README.md tells a site to add, read from its fenced code blocks: the
# block that starts "# settings.py" is appended to the settings, the lines of the one
# that starts "# urls.py" go first in urlpatterns. Nothing else is added.
"$work/venv/bin/python" - "$here/README.md" <<'PY'
import re
import sys
from pathlib import Path

blocks = re.findall(r"```python\n(.*?)```", Path(sys.argv[1]).read_text(), re.S)
settings = [b for b in blocks if b.startswith("# settings.py")]
urls = [b for b in blocks if b.startswith("# urls.py")]
assert len(settings) == 1 and len(urls) == 1, "README.md needs one settings and one urls block"
base = Path("mysite/settings/base.py")
base.write_text(base.read_text() + "\n# From README.md\n" + settings[0])
lines = [line for line in urls[0].splitlines()[1:] if line.strip()]
p = Path("mysite/urls.py")
s = p.read_text()
assert "urlpatterns = [\n" in s
s = s.replace("urlpatterns = [\n", "urlpatterns = [\n" + "".join(f"    {line}\n" for line in lines), 1)
p.write_text(s)
print("   README settings:", len(settings[0].splitlines()), "lines; urls:", len(lines), "lines")
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
for url, expected in [("/", 200), ("/pledges/", 302), ("/api/pledges/v1/schema/", 200),
                      ("/api/pledges/v1/plans/", 200), ("/api/pledges/v1/docs/", 200)]:
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
r = Client().post("/api/pledges/v1/auth/token/", {"username": "w", "password": "x"},
                  content_type="application/json")
assert r.status_code == 201, r.content
r = Client().get("/api/pledges/v1/me/", HTTP_AUTHORIZATION="Bearer " + r.json()["token"])
assert r.status_code == 200 and r.json()["membership"]["status"] == "draft", r.content
print("   API token issued; /api/pledges/v1/me/ with it 200")
from django.contrib.staticfiles import finders
for name in ("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
             "wagtail_pledges/api/swagger-init.js"):
    assert finders.find(name), "static file not found: " + name
print("   docs page static files found")
admin = get_user_model().objects.create_superuser(username="a", email="a@example.org", password="x")
c.force_login(admin)
r = c.get("/admin/pledges/memberships/")
assert r.status_code == 200, (r.status_code, r.content[:300])
print("   /admin/pledges/memberships/ (filters render) 200")
'
echo "== built-wheel test passed"
