"""Shift slots, bookings, the waitlist and each queue's shift policy."""

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
from django.db import models
from django.db.models import Q

from billing.terms.models import PremiumTier
from experts.profiles.models import ExpertProfile


class ShiftSlot(models.Model):
    queue = models.ForeignKey(
        "marketplace.OverflowQueue", on_delete=models.CASCADE, related_name="shift_slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    headcount = models.PositiveSmallIntegerField(default=1)
    premium_tier = models.CharField(
        max_length=16, choices=PremiumTier.choices, default=PremiumTier.STANDARD,
        help_text="The premium tier whoever published the slot picked; the rate card "
        "(billing/terms) sets its multiplier.",
    )
    is_hot = models.BooleanField(default=False, help_text="Highlighted: the brand needs cover.")
    cancelled_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the publisher cancelled the slot: hidden from the marketplace, its "
        "bookings cancelled (never no-shows) and their experts told by email.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="shift_headcount_positive"),
        ]
        indexes = [models.Index(fields=["queue", "starts_at", "ends_at"], name="slot_queue_time")]

    def __str__(self) -> str:
        return f"{self.queue} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} UTC"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    RELEASED = "released", "Released"


LIVE_BOOKING_STATUSES = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class ShiftBooking(models.Model):
    """An expert's seat on a slot. `starts_at`/`ends_at` copy the slot's times so PostgreSQL
    itself refuses two live bookings of one expert that overlap (an exclusion constraint
    cannot look through a foreign key)."""

    slot = models.ForeignKey(ShiftSlot, on_delete=models.CASCADE, related_name="bookings")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    booked_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was cancelled, released or marked a no-show."
    )
    release_requested_at = models.DateTimeField(
        null=True, blank=True,
        help_text="After the cut-off the expert offered the seat to the waitlist; it is theirs "
        "until a waitlisted expert takes it.",
    )
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="Set once, by the sweep that sends the reminder."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "expert"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="one_live_booking_per_slot_and_expert",
            ),
            ExclusionConstraint(
                name="no_overlapping_live_bookings_per_expert",
                expressions=[
                    ("expert", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()),
                     RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["booked", "checked_in"]),
                violation_error_message="You already hold a shift at that time.",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="booking_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="checked_in") | Q(checked_in_at__isnull=False),
                name="checked_in_booking_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"], condition=Q(status="booked"),
                         name="booking_booked_start"),
            models.Index(fields=["ends_at"], condition=Q(status="checked_in"),
                         name="booking_checked_in_end"),
            models.Index(fields=["expert", "starts_at"], name="booking_expert_start"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} on {self.slot} ({self.status})"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    PROMOTED = "promoted", "Got a seat"
    LEFT = "left", "Left"


class ShiftWaitlistEntry(models.Model):
    """An expert waiting for a seat on a full slot; the earliest waiting eligible expert gets the
    next seat that frees."""

    slot = models.ForeignKey(ShiftSlot, on_delete=models.CASCADE, related_name="waitlist")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE,
                               related_name="waitlist_entries")
    status = models.CharField(max_length=16, choices=WaitlistStatus.choices,
                              default=WaitlistStatus.WAITING)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    booking = models.OneToOneField(ShiftBooking, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="waitlist_entry")

    class Meta:
        verbose_name_plural = "shift waitlist entries"
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "expert"], condition=Q(status="waiting"),
                                    name="one_waiting_entry_per_slot_and_expert"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} waiting for {self.slot} ({self.status})"


class QueueShiftPolicy(models.Model):
    """Per-queue shift rules and quality thresholds. A queue without a row uses the defaults:
    the settings' cut-off and no thresholds."""

    queue = models.OneToOneField("marketplace.OverflowQueue", on_delete=models.CASCADE,
                                 related_name="shift_policy")
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        default=12, help_text="Bookings can be cancelled until this many hours before the start."
    )
    min_csat_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    min_acceptance_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    max_no_shows = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most no-shows allowed in the last 30 days."
    )
    suspend_automatically = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "queue shift policies"
        constraints = [
            models.CheckConstraint(condition=Q(min_csat_percent__lte=100),
                                   name="policy_csat_is_percent"),
            models.CheckConstraint(condition=Q(min_acceptance_percent__lte=100),
                                   name="policy_acceptance_is_percent"),
            models.CheckConstraint(condition=Q(cancel_cutoff_hours__lte=24 * 14),
                                   name="policy_cutoff_at_most_two_weeks"),
        ]

    def __str__(self) -> str:
        return f"shift policy of {self.queue}"
