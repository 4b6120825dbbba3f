"""At most one published plan per organisation and one published pledge per member.

The lifecycle always unpublished the commitment a renewal replaced, but the admin's bare
"Publish" button could put an older one back beside it. Before the constraints are added,
any such pair is repaired: the latest period's commitment (highest ``sequence``) stays
live and the others are unpublished, as the lifecycle would have done. Their ids are
printed; run ``pledges_recount`` afterwards so the published-plan counter agrees.
"""

from django.db import migrations, models
from django.db.models import Count, Q

PUBLISHED = Q(review_status="approved", live=True)


def _unpublish_extra(model, owner: str) -> list[int]:
    doubled = (model.objects.filter(PUBLISHED).values(owner)
               .annotate(n=Count("pk")).filter(n__gt=1).values_list(owner, flat=True))
    unpublished = []
    for owner_id in doubled:
        rows = list(model.objects.filter(PUBLISHED, **{owner: owner_id})
                    .order_by("-sequence", "-pk").values_list("pk", flat=True))
        unpublished += rows[1:]
    if unpublished:
        model.objects.filter(pk__in=unpublished).update(live=False, has_unpublished_changes=True)
    return unpublished


def keep_latest_published(apps, schema_editor):
    for name, owner in (("ActionPlan", "organisation"), ("Pledge", "membership")):
        unpublished = _unpublish_extra(apps.get_model("wagtail_pledges", name), owner)
        if unpublished:
            print(f"\n  {name}: unpublished {sorted(unpublished)}, each older than another "
                  f"published one of its {owner}; run pledges_recount.")


class Migration(migrations.Migration):
    dependencies = [("wagtail_pledges", "0013_outboxwakeup")]

    operations = [
        migrations.RunPython(keep_latest_published, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="actionplan",
            constraint=models.UniqueConstraint(
                condition=models.Q(("live", True), ("review_status", "approved")),
                fields=("organisation",), name="pledges_plan_one_published_per_organisation",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.UniqueConstraint(
                condition=models.Q(("live", True), ("review_status", "approved")),
                fields=("membership",), name="pledges_pledge_one_published_per_membership",
            ),
        ),
    ]
