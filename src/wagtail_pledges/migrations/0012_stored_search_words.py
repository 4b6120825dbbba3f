"""The directory's search reads stored words: on PostgreSQL each plan keeps
``to_tsvector('simple', …)`` of its organisation's name (its copy, ``organisation_name``)
and of its public summary in generated columns with GIN indexes, so no search computes
``to_tsvector`` per row; ``pledges_plan_directory_words`` is the directory's order over
published plans carrying those words, so a search walks it without visiting the table.
The expression indexes of 0008 are no longer read and go.
Nothing happens on other databases. See docs/explanation/performance.md, "A stored
tsvector"."""

from django.db import migrations

from wagtail_pledges.text_search import CoveringIndex, DropTextSearchIndex, StoredTextSearch


class Migration(migrations.Migration):
    dependencies = [("wagtail_pledges", "0011_logo_terms_version")]

    operations = [
        StoredTextSearch("actionplan", "organisation_name", "search_name",
                         "pledges_plan_search_name"),
        StoredTextSearch("actionplan", "public_summary", "search_summary",
                         "pledges_plan_search_summary"),
        # The directory's order (as pledges_plan_directory) with the stored words.
        CoveringIndex("actionplan", "pledges_plan_directory_words",
                      ["organisation_name", "id"], ["search_name", "search_summary"],
                      condition="\"review_status\" = 'approved' AND \"live\""),
        DropTextSearchIndex("organisation", "name", "pledges_org_name_fts"),
        DropTextSearchIndex("actionplan", "public_summary", "pledges_plan_summary_fts"),
    ]
