"""Create the "Membership review" workflow and finish the reviewers' permissions.

* A Wagtail workflow with one group-approval task for "Membership reviewers",
  assigned to the ``ActionPlan`` snippet, so organisation plans are reviewed with
  Wagtail's own moderation (approve / request changes, comments, revisions).
  Individual pledges are not reviewed by default (``INDIVIDUAL_REQUIRES_REVIEW``);
  a site that turns review on assigns the same workflow to "individual pledge" in
  Settings → Workflows (see docs/how-to/review-plans.md).
* Wagtail creates the snippet ``publish_*`` / ``lock_*`` / ``unlock_*`` permissions
  only after all migrations ran, so 0002 could not grant them: they are created
  here (exactly as Wagtail would, so its post-migrate step finds them) and given
  to the reviewers, with the few permissions the admin's actions need.
* Taxonomies are editable by editors: Wagtail's default "Editors" and
  "Moderators" groups, where the site still has them, may manage strategies,
  restrictive practices and sectors.
"""

from django.db import migrations

WORKFLOW_NAME = "Membership review"
REVIEWER_GROUP = "Membership reviewers"
EXTRA_SNIPPET_PERMISSIONS = [
    # (model, verbose name, action)
    ("actionplan", "action plan", "publish"),
    ("actionplan", "action plan", "lock"),
    ("actionplan", "action plan", "unlock"),
    ("pledge", "individual pledge", "publish"),
    ("pledge", "individual pledge", "lock"),
    ("pledge", "individual pledge", "unlock"),
]
REVIEWER_EXTRA = [
    ("actionplan", "publish"), ("actionplan", "lock"), ("actionplan", "unlock"),
    ("pledge", "publish"), ("pledge", "lock"), ("pledge", "unlock"),
    # Send (again) the claim link to old-pledge signatories.
    ("legacysignatory", "change"),
    # Watch and retry the email outbox.
    ("outboxmessage", "view"), ("outboxmessage", "change"),
    ("lifecycleevent", "view"),
]
TAXONOMY_GROUPS = ["Editors", "Moderators", REVIEWER_GROUP]
TAXONOMIES = ["strategy", "restrictivepractice", "sector"]


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def _permission(apps, model, action, verbose_name=None):
    Permission = apps.get_model("auth", "Permission")
    content_type = _content_type(apps, "wagtail_pledges", model)
    codename = f"{action}_{model}"
    if verbose_name:
        return Permission.objects.get_or_create(
            content_type=content_type, codename=codename,
            defaults={"name": f"Can {action} {verbose_name}"},
        )[0]
    return Permission.objects.filter(content_type=content_type, codename=codename).first()


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for model, verbose_name, action in EXTRA_SNIPPET_PERMISSIONS:
        _permission(apps, model, action, verbose_name)

    reviewers, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    for model, action in REVIEWER_EXTRA:
        permission = _permission(apps, model, action)
        if permission:
            reviewers.permissions.add(permission)
    for name in TAXONOMY_GROUPS:
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for model in TAXONOMIES:
            for action in ("add", "change", "view"):
                permission = _permission(apps, model, action)
                if permission:
                    group.permissions.add(permission)

    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    if Workflow.objects.filter(name=WORKFLOW_NAME).exists():
        return
    task = GroupApprovalTask.objects.create(
        name=WORKFLOW_NAME, active=True,
        content_type=_content_type(apps, "wagtailcore", "groupapprovaltask"),
    )
    task.groups.add(reviewers)
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    plan_type = _content_type(apps, "wagtail_pledges", "actionplan")
    if not WorkflowContentType.objects.filter(content_type=plan_type).exists():
        WorkflowContentType.objects.create(content_type=plan_type, workflow=workflow)


def backwards(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Task.objects.filter(name=WORKFLOW_NAME, workflow_tasks__workflow__name=WORKFLOW_NAME).delete()
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_pledges", "0002_seed_taxonomies_and_reviewers"),
        ("wagtailcore", "0083_workflowcontenttype"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
