"""The directory's order from one index: a copy of the organisation's name on each plan
and a partial index over published plans on (that name, id). See
docs/explanation/performance.md, "The plans directory and the API list"."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_organisation_names(apps, schema_editor):
    """Fill the copy on every existing plan: one UPDATE, whatever the number of rows."""
    ActionPlan = apps.get_model("wagtail_pledges", "ActionPlan")
    Organisation = apps.get_model("wagtail_pledges", "Organisation")
    names = Organisation.objects.filter(pk=OuterRef("organisation_id")).values("name")[:1]
    ActionPlan.objects.using(schema_editor.connection.alias).update(
        organisation_name=Subquery(names))


class Migration(migrations.Migration):
    dependencies = [("wagtail_pledges", "0009_outbox_context_rendered_at_send")]

    operations = [
        migrations.AddField(
            model_name="actionplan",
            name="organisation_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(copy_organisation_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="actionplan",
            index=models.Index(
                condition=models.Q(("live", True), ("review_status", "approved")),
                fields=["organisation_name", "id"], name="pledges_plan_directory",
            ),
        ),
    ]
