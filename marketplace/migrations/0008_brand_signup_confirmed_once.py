from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def close_links_of_active_owners(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """A brand whose owner is already active has used its confirmation link (or never had one):
    the link, if any is still within its 7 days, stops working."""
    brand_model = apps.get_model("marketplace", "Brand")
    brand_model.objects.filter(
        memberships__role="owner", memberships__user__is_active=True,
    ).update(signup_confirmed_at=models.F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0007_inbound_mail_whole_and_owned"),
    ]

    operations = [
        migrations.AddField(
            model_name="brand",
            name="signup_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(close_links_of_active_owners, migrations.RunPython.noop),
    ]
