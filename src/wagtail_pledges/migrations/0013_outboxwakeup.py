"""One row saying whether an email delivery task is already waiting, so commits that
queue emails share a task instead of enqueuing one per email (docs/explanation/outbox.md).
The row itself is made by the app's ``post_migrate`` receiver, which also runs after a
test database is flushed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("wagtail_pledges", "0012_stored_search_words")]

    operations = [
        migrations.CreateModel(
            name="OutboxWakeup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("requested_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"verbose_name": "outbox wake-up"},
        ),
    ]
