"""Logo kit (files, guidance, terms), terms acceptances and the download log.

Editors upload the kit: Wagtail's "Editors" and "Moderators" groups (where the site
still has them) may manage it, and they and the reviewers may view the acceptances and
the download log. Django creates model permissions only after all migrations ran, so
they are created here as Django would (its post-migrate step then finds them).
"""

import django.db.models.deletion
import modelcluster.fields
import wagtail.fields
from django.conf import settings
from django.db import migrations, models
from wagtail.documents import get_document_model_string


KIT_EDITOR_GROUPS = ["Editors", "Moderators"]
LOG_VIEWER_GROUPS = [*KIT_EDITOR_GROUPS, "Membership reviewers"]
VERBOSE = {"logokit": "logo kit", "logotermsacceptance": "logo terms acceptance",
           "logodownload": "logo download"}


def _permission(apps, model, action):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type = ContentType.objects.get_or_create(app_label="wagtail_pledges",
                                                     model=model)[0]
    return Permission.objects.get_or_create(
        content_type=content_type, codename=f"{action}_{model}",
        defaults={"name": f"Can {action} {VERBOSE[model]}"},
    )[0]


def grant_kit_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in LOG_VIEWER_GROUPS:
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        wanted = [("logotermsacceptance", "view"), ("logodownload", "view")]
        if name in KIT_EDITOR_GROUPS:
            wanted += [("logokit", a) for a in ("add", "change", "delete", "view")]
        group.permissions.add(*[_permission(apps, m, a) for m, a in wanted])


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_pledges', '0003_membership_review_workflow'),
        ('wagtaildocs', '0014_alter_document_file_size'),
        # A site may swap the document model (WAGTAILDOCS_DOCUMENT_MODEL).
        migrations.swappable_dependency(get_document_model_string()),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='LogoKit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(default='Member logo kit', max_length=200, verbose_name='title')),
                ('guidance', wagtail.fields.RichTextField(blank=True, help_text='How and where members may show the logo.', verbose_name='usage guidance')),
                ('terms', wagtail.fields.RichTextField(help_text='An admin of each organisation accepts these once before downloading.', verbose_name='terms of use')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
            ],
            options={
                'verbose_name': 'logo kit',
                'verbose_name_plural': 'logo kits',
                'ordering': ['pk'],
            },
        ),
        migrations.CreateModel(
            name='LogoDownload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
                ('document', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=get_document_model_string(), verbose_name='file')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='logo_downloads', to='wagtail_pledges.organisation')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='downloaded by')),
            ],
            options={
                'verbose_name': 'logo download',
                'verbose_name_plural': 'logo downloads',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='LogoKitFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                ('label', models.CharField(help_text='e.g. “Logo, colour, PNG”.', max_length=150, verbose_name='label')),
                ('document', models.ForeignKey(help_text='Upload it to a collection with privacy set (e.g. “Logo kit”, private to editors): members download it through their dashboard.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to=get_document_model_string(), verbose_name='file')),
                ('kit', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='wagtail_pledges.logokit')),
            ],
            options={
                'verbose_name': 'logo kit file',
                'verbose_name_plural': 'logo kit files',
                'ordering': ['sort_order'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='LogoTermsAcceptance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('accepted_at', models.DateTimeField(auto_now_add=True, verbose_name='accepted at')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='logo_terms_acceptance', to='wagtail_pledges.organisation')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
            ],
            options={
                'verbose_name': 'logo terms acceptance',
                'verbose_name_plural': 'logo terms acceptances',
                'ordering': ['-accepted_at'],
            },
        ),
        migrations.RunPython(grant_kit_permissions, migrations.RunPython.noop),
    ]
