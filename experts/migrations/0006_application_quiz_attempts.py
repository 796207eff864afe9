from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def count_quizzes_taken_as_one_attempt(apps: StateApps,
                                       schema_editor: BaseDatabaseSchemaEditor) -> None:
    application_model = apps.get_model("experts", "ExpertApplication")
    application_model.objects.filter(quiz_taken_at__isnull=False).update(quiz_attempts=1)


class Migration(migrations.Migration):

    dependencies = [
        ("experts", "0005_shift_marketplace_presence_quality"),
    ]

    operations = [
        migrations.AddField(
            model_name="expertapplication",
            name="quiz_attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(count_quizzes_taken_as_one_attempt, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="expertapplication",
            constraint=models.CheckConstraint(
                condition=models.Q(quiz_taken_at__isnull=True, quiz_attempts=0)
                | models.Q(quiz_taken_at__isnull=False, quiz_attempts__gte=1),
                name="application_quiz_taken_counts_attempts",
            ),
        ),
    ]
