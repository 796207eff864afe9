"""Emails to experts about their shifts, in the expert's own time zone. Sent by a Celery task on
the default queue, scheduled only after the booking's transaction committed."""


from zoneinfo import ZoneInfo

from django.core.mail import send_mail

from experts.shifts.models import ShiftBooking

SUBJECTS = {
    "waitlist_seat": "You got a seat on a shift from the waitlist",
    "released": "Your shift was taken over from the waitlist",
    "reminder": "Your shift starts within the hour",
    "slot_cancelled": "A shift you booked was cancelled",
}


BODIES = {
    "waitlist_seat": "A seat freed up and it is yours: {shift}. Check in from 10 minutes "
    "before the start on your Shiftline workspace.",
    "released": "An expert from the waitlist took over your shift {shift}. It is no longer "
    "yours and does not count against you.",
    "slot_cancelled": "The brand cancelled the shift {shift}. Your booking is cancelled; it "
    "does not count against you (no no-show) and you need do nothing.",
    "reminder": "Reminder: your shift {shift} starts soon. Check-in opens 10 minutes before "
    "the start; not checked in 10 minutes after it counts as a no-show.",
}


def shift_email_send(*, booking_id: int, kind: str) -> bool:
    """Sends one email of `kind` about the booking. Returns False for an unknown booking."""
    booking = ShiftBooking.objects.select_related("expert__user", "slot__queue__brand") \
        .filter(pk=booking_id).first()
    if booking is None or kind not in SUBJECTS:
        return False
    zone = ZoneInfo(booking.expert.time_zone)
    starts, ends = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    shift = (f"{booking.slot.queue} on {starts:%a %d %b %H:%M}–{ends:%H:%M} "
             f"({booking.expert.time_zone})")
    send_mail(
        subject=SUBJECTS[kind], message=BODIES[kind].format(shift=shift), from_email=None,
        recipient_list=[booking.expert.user.email],
    )
    return True
