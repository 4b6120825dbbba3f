"""Logo terms acceptances record the version (and text) of the terms accepted.

Acceptances made before this migration are taken to be of the kit's current terms:
nothing else was recorded, and those organisations were shown these terms.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def terms_of_existing_acceptances(apps, schema_editor):
    import hashlib

    kit = apps.get_model("wagtail_pledges", "LogoKit").objects.order_by("pk").first()
    terms = kit.terms if kit is not None else ""
    digest = hashlib.sha256(terms.encode()).hexdigest()
    apps.get_model("wagtail_pledges", "LogoTermsAcceptance").objects.update(
        terms=terms, terms_digest=digest)


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_pledges', '0010_plan_directory_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='logotermsacceptance',
            name='terms',
            field=models.TextField(blank=True, help_text='The terms as they read when accepted.', verbose_name='terms accepted'),
        ),
        migrations.AddField(
            model_name='logotermsacceptance',
            name='terms_digest',
            field=models.CharField(blank=True, help_text='SHA-256 of the accepted terms.', max_length=64, verbose_name='terms version'),
        ),
        migrations.AlterField(
            model_name='logotermsacceptance',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='logo_terms_acceptances', to='wagtail_pledges.organisation'),
        ),
        migrations.RunPython(terms_of_existing_acceptances, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='logotermsacceptance',
            constraint=models.UniqueConstraint(fields=('organisation', 'terms_digest'), name='pledges_logo_terms_once_per_version'),
        ),
    ]
