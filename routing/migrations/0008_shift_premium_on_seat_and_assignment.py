"""The shift premium moves onto routing's own rows: the seat carries the premium of the shift it
was opened for, and an assignment keeps the one its expert was working when they accepted, so
resolution no longer reads shifts. Open seats and active assignments get the premium the old
read would have found (their shift booking), so work in progress is paid as before."""

from decimal import Decimal

from django.db import migrations, models

NO_PREMIUM = Decimal("1.00")
WORKED = ("checked_in", "completed")


def copy_premiums_from_shift_bookings(apps, schema_editor):
    ExpertSeat = apps.get_model("routing", "ExpertSeat")
    Assignment = apps.get_model("routing", "Assignment")
    ShiftBooking = apps.get_model("experts", "ShiftBooking")
    for seat in ExpertSeat.objects.all().iterator():
        premium = (ShiftBooking.objects.filter(
            expert_id=seat.expert_id, slot__queue_id=seat.queue_id, status="checked_in",
        ).order_by("-starts_at").values_list("slot__premium_multiplier", flat=True).first())
        if premium is not None and premium != NO_PREMIUM:
            ExpertSeat.objects.filter(pk=seat.pk).update(premium_multiplier=premium)
    active = Assignment.objects.filter(status="active").values_list(
        "pk", "expert_id", "inquiry__queue_id", "created_at")
    for assignment_id, expert_id, queue_id, accepted_at in active.iterator():
        premium = (ShiftBooking.objects.filter(
            expert_id=expert_id, slot__queue_id=queue_id, starts_at__lte=accepted_at,
            ends_at__gt=accepted_at, status__in=WORKED,
        ).values_list("slot__premium_multiplier", flat=True).first())
        if premium is not None and premium != NO_PREMIUM:
            Assignment.objects.filter(pk=assignment_id).update(premium_multiplier=premium)


class Migration(migrations.Migration):

    dependencies = [
        ("experts", "0005_shift_marketplace_presence_quality"),
        ("marketplace", "0006_queue_configuration_onboarding_and_macros"),
        ("routing", "0007_offer_decline_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="premium_multiplier",
            field=models.DecimalField(decimal_places=2, default=Decimal("1.00"), help_text="The premium of the shift the expert was working when they accepted, copied from their seat; billing multiplies their rate by it at resolution.", max_digits=4),
        ),
        migrations.AddField(
            model_name="expertseat",
            name="premium_multiplier",
            field=models.DecimalField(decimal_places=2, default=Decimal("1.00"), help_text="The premium of the shift the seat was opened for; an accepted offer keeps it.", max_digits=4),
        ),
        migrations.AddConstraint(
            model_name="assignment",
            constraint=models.CheckConstraint(condition=models.Q(("premium_multiplier__gte", Decimal("1.00"))), name="assignment_premium_at_least_1"),
        ),
        migrations.AddConstraint(
            model_name="expertseat",
            constraint=models.CheckConstraint(condition=models.Q(("premium_multiplier__gte", Decimal("1.00"))), name="seat_premium_at_least_1"),
        ),
        migrations.RunPython(copy_premiums_from_shift_bookings, migrations.RunPython.noop),
    ]
