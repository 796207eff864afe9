"""API keys get scopes. Keys that exist already keep every scope, so no system that uses one
loses an operation it could call before; keys created from now on get the scopes chosen."""

import django.contrib.postgres.fields
from django.db import migrations, models

EVERY_SCOPE_IN_0008 = [
    "inquiries:read", "inquiries:write", "queues:read", "queues:manage", "backlog:write",
    "shifts:read", "shifts:manage", "reviews:write",
]


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0008_brand_signup_confirmed_once"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="scopes",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=32), default=EVERY_SCOPE_IN_0008,
                size=None),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="apikey",
            constraint=models.CheckConstraint(
                condition=models.Q(("scopes__contained_by", EVERY_SCOPE_IN_0008),
                                   ("scopes__len__gte", 1)),
                name="api_key_scopes_known_and_not_empty",
                violation_error_message="An API key has at least one scope, all of them known."),
        ),
    ]
