"""Shift premiums become tiers whose multiplier the rate card sets: each slot, seat and
assignment keeps the tier nearest its former multiplier."""

from decimal import Decimal

from django.db import migrations, models

def tier_of(multiplier):
    """The tier whose default multiplier (billing/terms) is nearest a former premium: 1.00
    standard, up to 1.37 after hours (1.25), up to 1.75 weekend (1.50), above holiday (2.00)."""
    if multiplier is None or multiplier <= Decimal("1.00"):
        return "standard"
    if multiplier <= Decimal("1.37"):
        return "after_hours"
    if multiplier <= Decimal("1.75"):
        return "weekend"
    return "holiday"


def premiums_to_tiers(apps, schema_editor):
    Assignment = apps.get_model("routing", "Assignment")
    for pk, multiplier in Assignment.objects.exclude(premium_multiplier=Decimal("1.00")).values_list(
            "pk", "premium_multiplier"):
        Assignment.objects.filter(pk=pk).update(premium_tier=tier_of(multiplier))
    ExpertSeat = apps.get_model("routing", "ExpertSeat")
    for pk, multiplier in ExpertSeat.objects.exclude(premium_multiplier=Decimal("1.00")).values_list(
            "pk", "premium_multiplier"):
        ExpertSeat.objects.filter(pk=pk).update(premium_tier=tier_of(multiplier))


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0008_shift_premium_on_seat_and_assignment'),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='premium_tier',
            field=models.CharField(choices=[('standard', 'Standard'), ('after_hours', 'After hours'), ('weekend', 'Weekend'), ('holiday', 'Public holiday'), ('surge', 'Surge')], default='standard', help_text='The premium tier of the shift the expert was working when they accepted, copied from their seat; billing prices the ticket at it at resolution.', max_length=16),
        ),
        migrations.AddField(
            model_name='expertseat',
            name='premium_tier',
            field=models.CharField(choices=[('standard', 'Standard'), ('after_hours', 'After hours'), ('weekend', 'Weekend'), ('holiday', 'Public holiday'), ('surge', 'Surge')], default='standard', help_text='The premium tier of the shift the seat was opened for; an accepted offer keeps it.', max_length=16),
        ),
        migrations.RunPython(premiums_to_tiers, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='assignment_premium_at_least_1',
        ),
        migrations.RemoveConstraint(
            model_name='expertseat',
            name='seat_premium_at_least_1',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='premium_multiplier',
        ),
        migrations.RemoveField(
            model_name='expertseat',
            name='premium_multiplier',
        ),
    ]
