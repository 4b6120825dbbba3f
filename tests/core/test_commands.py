import pytest
from django.core.management import CommandError, call_command
from freezegun import freeze_time

from tests import factories
from wagtail_pledges.models import Counter, LegacySignatory, Membership, OutboxMessage

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_lifecycle_command_lapses_and_is_idempotent():
    with freeze_time("2026-01-10"):
        factories.active_individual()
    out = run("pledges_lifecycle", "--date", "2028-01-11")
    assert "lapsed=1" in out
    assert "lapsed=0" in run("pledges_lifecycle", "--date", "2028-01-11")
    assert Membership.objects.get().status == "lapsed"


def test_lifecycle_command_rejects_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("pledges_lifecycle", "--date", "next tuesday")


def test_recount_repairs_counters_and_groups():
    user = factories.active_individual().user
    Counter.objects.all().update(value=999)
    user.groups.clear()
    out = run("pledges_recount")
    assert "members:individual:active: 1" in out
    assert "group memberships repaired: 1" in out
    assert dict(Counter.objects.values_list("key", "value"))["members:individual:active"] == 1
    assert user.groups.count() == 2


def test_import_legacy_command(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("\ufeffkind,name,email,organisation,signed_on\n"
                    "individual,Ann,ann@example.org,,2014-06-01\n", encoding="utf-8")
    assert "created=1" in run("pledges_import_legacy", str(path), "--invite")
    assert LegacySignatory.objects.get().invited_at is not None
    assert OutboxMessage.objects.filter(template="legacy_invitation").count() == 1
    assert "created=0 unchanged=1" in run("pledges_import_legacy", str(path), "--invite")
    assert OutboxMessage.objects.filter(template="legacy_invitation").count() == 1


def test_import_legacy_command_errors(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("pledges_import_legacy", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,name,email,organisation,signed_on\nalien,,x,,\n")
    with pytest.raises(CommandError, match="line 2: kind"):
        run("pledges_import_legacy", str(bad))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("kind,name\n\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run("pledges_import_legacy", str(latin))
    assert not LegacySignatory.objects.exists()


def test_send_outbox_command():
    assert "due=0" in run("pledges_send_outbox")


def test_deleting_a_user_keeps_counts_true():
    from wagtail_pledges.counts import recount

    user = factories.active_individual().user
    factories.active_individual()
    user.delete()
    live = {k: v for k, v in Counter.objects.values_list("key", "value") if v}
    assert live == {k: v for k, v in recount().items() if v}
    assert live["members:individual:active"] == 1


def test_deleting_an_organisation_keeps_counts_true():
    from wagtail_pledges.counts import recount

    plan = factories.approved_plan()
    factories.approved_plan()
    plan.organisation.delete()
    live = {k: v for k, v in Counter.objects.values_list("key", "value") if v}
    assert live == {k: v for k, v in recount().items() if v}
    assert live["plans:published"] == 1
