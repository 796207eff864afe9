"""The supply side: expert profiles, brand certifications, shift slots and bookings."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from marketplace.models import validate_time_zone


class ExpertStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    IN_REVIEW = "in_review", "In review"
    NEEDS_INFO = "needs_info", "Needs info"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class ExpertProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    display_name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    languages = ArrayField(models.CharField(max_length=8), default=list)
    skills = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ExpertStatus.choices, default=ExpertStatus.APPLIED
    )
    quality_score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_approved(self) -> bool:
        return self.status == ExpertStatus.APPROVED


class CertificationStatus(models.TextChoices):
    GRANTED = "granted", "Granted"
    REVOKED = "revoked", "Revoked"


class Certification(models.Model):
    expert = models.ForeignKey(
        ExpertProfile, on_delete=models.CASCADE, related_name="certifications"
    )
    brand = models.ForeignKey(
        "marketplace.Brand", on_delete=models.CASCADE, related_name="certifications"
    )
    status = models.CharField(
        max_length=16, choices=CertificationStatus.choices, default=CertificationStatus.GRANTED
    )
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expert", "brand"], name="unique_certification"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} for {self.brand} ({self.status})"


class ExpertDecision(models.Model):
    """Append-only audit trail of vetting decisions: who, when, what, why."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=ExpertStatus.choices)
    to_status = models.CharField(max_length=16, choices=ExpertStatus.choices)
    reason = models.TextField()
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.expert}: {self.from_status} → {self.to_status}"


class ShiftSlot(models.Model):
    queue = models.ForeignKey(
        "marketplace.OverflowQueue", on_delete=models.CASCADE, related_name="shift_slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    headcount = models.PositiveSmallIntegerField(default=1)

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


class ShiftBooking(models.Model):
    slot = models.ForeignKey(ShiftSlot, on_delete=models.CASCADE, related_name="bookings")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    booked_at = models.DateTimeField()
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "expert"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="one_live_booking_per_slot_and_expert",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} on {self.slot} ({self.status})"
