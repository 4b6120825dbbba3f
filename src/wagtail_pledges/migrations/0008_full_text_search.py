"""Full-text GIN indexes for the plans directory's search, on PostgreSQL only."""

from django.db import migrations

from wagtail_pledges.text_search import TextSearchIndex


class Migration(migrations.Migration):
    dependencies = [("wagtail_pledges", "0007_progress_update_submission_key")]

    operations = [
        TextSearchIndex("organisation", "name", "pledges_org_name_fts"),
        TextSearchIndex("actionplan", "public_summary", "pledges_plan_summary_fts"),
    ]
