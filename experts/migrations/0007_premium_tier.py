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
    ShiftSlot = apps.get_model("experts", "ShiftSlot")
    for pk, multiplier in ShiftSlot.objects.exclude(premium_multiplier=Decimal("1.00")).values_list(
            "pk", "premium_multiplier"):
        ShiftSlot.objects.filter(pk=pk).update(premium_tier=tier_of(multiplier))


class Migration(migrations.Migration):

    dependencies = [
        ('experts', '0006_application_quiz_attempts'),
    ]

    operations = [
        migrations.AddField(
            model_name='shiftslot',
            name='premium_tier',
            field=models.CharField(choices=[('standard', 'Standard'), ('after_hours', 'After hours'), ('weekend', 'Weekend'), ('holiday', 'Public holiday'), ('surge', 'Surge')], default='standard', help_text='The premium tier whoever published the slot picked; the rate card (billing/terms) sets its multiplier.', max_length=16),
        ),
        migrations.RunPython(premiums_to_tiers, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='shiftslot',
            name='shift_premium_between_1_and_5',
        ),
        migrations.RemoveField(
            model_name='shiftslot',
            name='premium_multiplier',
        ),
    ]
