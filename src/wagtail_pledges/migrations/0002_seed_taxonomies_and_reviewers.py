"""Seed the editable taxonomies with RRN's defaults and create the reviewers group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STRATEGIES = [
    ("leadership", "Leadership towards organisational change"),
    ("data", "Using data to inform practice"),
    ("workforce", "Workforce development"),
    ("prevention", "Use of prevention tools"),
    ("involvement", "Involving people who use services and families"),
    ("debriefing", "Debriefing"),
]
PRACTICES = [
    ("physical", "Physical restraint"),
    ("environmental", "Environmental (seclusion, long-term segregation)"),
    ("mechanical", "Mechanical restraint"),
    ("chemical", "Chemical restraint"),
    ("psycho-social", "Psycho-social restraint"),
    ("other", "Other"),
]
SECTORS = [
    ("health", "Health"),
    ("education", "Education"),
    ("social-care", "Social care"),
    ("other", "Other"),
]
REVIEWER_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("wagtail_pledges", "membership", "review_membership"),
    ("wagtail_pledges", "membership", "view_membership"),
    ("wagtail_pledges", "organisation", "view_organisation"),
    ("wagtail_pledges", "actionplan", "view_actionplan"),
    ("wagtail_pledges", "actionplan", "change_actionplan"),
    ("wagtail_pledges", "actionplan", "publish_actionplan"),
    ("wagtail_pledges", "pledge", "view_pledge"),
    ("wagtail_pledges", "pledge", "change_pledge"),
    ("wagtail_pledges", "pledge", "publish_pledge"),
    ("wagtail_pledges", "progressupdate", "view_progressupdate"),
    ("wagtail_pledges", "legacysignatory", "view_legacysignatory"),
]


def seed(apps, schema_editor):
    for model_name, rows in (
        ("Strategy", STRATEGIES), ("RestrictivePractice", PRACTICES), ("Sector", SECTORS)
    ):
        model = apps.get_model("wagtail_pledges", model_name)
        for order, (slug, name) in enumerate(rows):
            model.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Membership reviewers")
    for app_label, model, codename in REVIEWER_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission:
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_pledges", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
