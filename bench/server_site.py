"""Set-up and checks run *inside* a benchmarked site (the example project or the plain
Wagtail site), so they use that site's settings and database.

    python -m bench.server_site COMMAND [ARG]     # prints one JSON document

Commands: ``rrn-urls``, ``plain-setup``, ``session [EMAIL]``,
``submitters N KEYS [session|token]``,
``check-submitters FILE``, ``wait-for-emails FILE SECONDS``, ``recount-check``,
``queries FILE``.
The orchestrator is ``bench/server.py``.
"""

from __future__ import annotations

import datetime
import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

SEARCH_TERM = "trust"


def _email(kind: str, n: int, tag: str) -> str:
    return f"{kind}-{tag}-{n}@bench-server.example"


def _user(email: str):
    User = get_user_model()
    fields = {User.USERNAME_FIELD: email}
    if User.USERNAME_FIELD != "email":
        fields["email"] = email
    return User.objects.create_user(password=None, **fields)


def rrn_urls() -> dict:
    """The example site's pages, found by type (not by hard-coded paths)."""
    from rrn.site.models import StandardPage
    from wagtail_pledges.models import ActionPlan, OutboxMessage, Strategy
    from wagtail_pledges.pages.models import (
        IndividualPledgePage,
        MembershipPage,
        PlansIndexPage,
    )

    directory = PlansIndexPage.objects.live().first().url
    plan = ActionPlan.objects.published().select_related("organisation").order_by("pk").first()
    pledge_page = IndividualPledgePage.objects.live().first()
    standard = (StandardPage.objects.live().filter(slug="about").first()
                or StandardPage.objects.live().first())
    return {
        "home": "/",
        "standard": standard.url,
        "membership": MembershipPage.objects.live().first().url,
        "directory": directory,
        "directory_filtered": directory + "?sector=health",
        "directory_search": directory + f"?q={SEARCH_TERM}",
        "plan": f"{directory}{plan.organisation.slug}/",
        "api_plans": "/api/pledges/v1/plans/",
        "commit": pledge_page.url + "commit/",
        "strategy": Strategy.objects.order_by("pk").values_list("pk", flat=True).first(),
        "api_commit": "/api/pledges/v1/pledge/commit/",
        "pledge_page_id": pledge_page.pk,
        "strategy_slug": Strategy.objects.order_by("pk").values_list("slug", flat=True).first(),
        "video_keys": [v.video_key for v in pledge_page.video_blocks],
        "outbox_table": OutboxMessage._meta.db_table,
    }


def plain_setup() -> dict:
    """A child page under the plain site's home page."""
    from wagtail.models import Site

    home = Site.objects.get(is_default_site=True).root_page.specific
    about = home.get_children().filter(slug="about").first()
    if about is None:
        about = type(home)(title="About", slug="about")
        home.add_child(instance=about)
        about.save_revision().publish()
    return {"home": "/", "child": about.url, "ceiling": "/bench/ceiling/"}


def session(email: str | None) -> dict:
    """A signed-in session for ``email`` (a seeded member), or for a new account."""
    User = get_user_model()
    user = (User.objects.get(email=email) if email
            else _user(_email("reader", 0, get_random_string(6).lower())))
    return {"email": user.email, **_sessions([user])[0]}


def submitters(count: int, video_keys: list[str], auth: str = "session") -> dict:
    """``count`` verified people with a draft pledge, their videos watched: each
    can make exactly one pledge submission (the journey's last step). Written in bulk
    (``rrn.site.bench_seed.joiners``: the rows ``lifecycle.start_individual`` leaves),
    since a 30-second run at two workers uses thousands. ``auth``: ``session`` (a
    signed-in browser: cookies and CSRF token) or ``token`` (an API client: a bearer
    token). In primary-key order, which the load generator takes them in."""
    from rrn.site.bench_seed import joiners
    from wagtail_pledges import lifecycle

    seeded = joiners(count, video_keys=video_keys)
    users = list(get_user_model().objects.filter(email__in=seeded.individual_emails)
                 .order_by("pk"))
    credentials = {"session": _sessions, "token": _api_tokens}[auth](users)
    return {"people": [{"email": user.email, **held}
                       for user, held in zip(users, credentials, strict=True)],
            "target_date": (lifecycle.today() + datetime.timedelta(days=90)).isoformat()}


def _sessions(users: list) -> list[dict]:
    """Cookies of signed-in browsers, one per user: the session rows ``login()`` would
    store (user, backend, the password's session hash), in bulk, and with a
    ``cached_db`` engine their cache entries; and a CSRF secret each (Django accepts
    the unmasked secret in the X-CSRFToken header)."""
    from importlib import import_module

    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        load_backend,
    )
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    model = store.get_model_class()
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS
                   if hasattr(load_backend(path), "get_user"))  # as Client.force_login
    expire = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, held, cached = [], [], {}
    for user in users:
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {SESSION_KEY: user._meta.pk.value_to_string(user),
                BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(model(session_key=key, expire_date=expire,
                          session_data=store.encode(data)))
        cached[key] = data
        csrf = get_random_string(32)
        held.append({"cookie": f"{settings.SESSION_COOKIE_NAME}={key}; "
                               f"{settings.CSRF_COOKIE_NAME}={csrf}", "csrf": csrf})
    model.objects.bulk_create(rows, batch_size=2000)
    if hasattr(store, "cache_key_prefix"):  # cached_db: as save() leaves it, cached too
        # (each person has just loaded the commit page with this session).
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].set_many(
            {store.cache_key_prefix + key: data for key, data in cached.items()},
            settings.SESSION_COOKIE_AGE)
    return held


def _api_tokens(users: list) -> list[dict]:
    """What an API client holds after signing in (``POST auth/token/``): a bearer token
    from the package's token model (knox: stored as a digest), for the usual lifetime;
    as knox's ``AuthToken.objects.create``, in bulk. Issued here, not over HTTP, since
    that endpoint is throttled per IP address."""
    from knox.models import get_digest_token, get_token_model
    from knox.settings import CONSTANTS

    from wagtail_pledges.conf import pledges_settings

    model = get_token_model()
    expiry = timezone.now() + datetime.timedelta(hours=pledges_settings.API_TOKEN_TTL_HOURS)
    rows, held = [], []
    for user in users:
        digest, token = get_digest_token(None)
        rows.append(model(token_key=token[:CONSTANTS.TOKEN_KEY_LENGTH], digest=digest,
                          user=user, expiry=expiry))
        held.append({"authorization": f"Bearer {token}"})
    model.objects.bulk_create(rows, batch_size=2000)
    return held


def check_submitters(emails: list[str]) -> dict:
    """0 lost, 0 duplicated: each person is active with exactly one approved pledge."""
    from django.db.models import Count, Q

    from wagtail_pledges.models import Membership

    rows = (Membership.objects.filter(user__email__in=emails)
            .annotate(approved=Count("user__pledges", filter=Q(
                user__pledges__review_status="approved")))
            .values_list("status", "approved"))
    rows = list(rows)
    return {"people": len(emails),
            "active": sum(1 for status, _ in rows if status == "active"),
            "lost": len(emails) - sum(1 for status, _ in rows if status == "active"),
            "duplicates": sum(max(approved - 1, 0) for _, approved in rows)}


def wait_for_emails(emails: list[str], timeout: float) -> dict:
    """Wait (up to ``timeout`` s) for the task worker to send the joiners' emails:
    how many were queued, sent, still pending, and the seconds it took."""
    import time

    from wagtail_pledges.models import OutboxMessage

    start = time.monotonic()
    rows = OutboxMessage.objects.filter(to__in=[e.lower() for e in emails])
    while True:
        states = dict(rows.values_list("state").annotate(n=Count("pk")).order_by())
        pending = states.get(OutboxMessage.State.PENDING, 0)
        if not pending or time.monotonic() - start > timeout:
            break
        time.sleep(0.5)
    return {"queued": sum(states.values()), "sent": states.get(OutboxMessage.State.SENT, 0),
            "pending": pending, "per_person_max": max(
                (n for n in rows.values("to").annotate(n=Count("pk")).values_list("n", flat=True)),
                default=0),
            "drained_s": round(time.monotonic() - start, 1)}


def queries(endpoints: dict) -> dict:
    """Queries per request, in-process with the test client, after one warm-up
    (the same warm Redis cache the served site uses)."""
    User = get_user_model()
    out = {}
    for name, spec in endpoints.items():
        client = Client()
        if spec.get("signed_in"):
            client.force_login(User.objects.get(email=spec["signed_in"]))
        client.get(spec["url"])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(spec["url"])
        out[name] = {"queries": len(captured), "status": response.status_code}
    return out


def recount_check() -> dict:
    """Whether ``counts.recount()`` changes any counter, and how long it takes."""
    import time

    from wagtail_pledges import counts
    from wagtail_pledges.models import Counter

    before = {k: v for k, v in Counter.objects.values_list("key", "value") if v}
    start = time.perf_counter()
    counts.recount()
    seconds = time.perf_counter() - start
    after = {k: v for k, v in Counter.objects.values_list("key", "value") if v}
    return {"changed": {k: [before.get(k), after.get(k)] for k in before.keys() | after.keys()
                        if before.get(k) != after.get(k)},
            "seconds": round(seconds, 2)}


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "rrn-urls":
        result = rrn_urls()
    elif command == "plain-setup":
        result = plain_setup()
    elif command == "session":
        result = session(args[0] if args else None)
    elif command == "submitters":
        result = submitters(int(args[0]), json.loads(args[1]), *args[2:])
    elif command == "check-submitters":
        with open(args[0]) as f:
            result = check_submitters(json.load(f))
    elif command == "wait-for-emails":
        with open(args[0]) as f:
            result = wait_for_emails(json.load(f), float(args[1]))
    elif command == "recount-check":
        result = recount_check()
    elif command == "queries":
        with open(args[0]) as f:
            result = queries(json.load(f))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
