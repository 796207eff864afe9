"""The supply side: expert profiles, brand certifications, shift slots and bookings."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateTimeRangeField,
    RangeBoundary,
    RangeOperators,
)
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
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["expert", "brand"], name="unique_certification"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} for {self.brand} ({self.status})"


class DecisionKind(models.TextChoices):
    STATUS = "status", "Status change"
    CHECKLIST = "checklist", "Checklist"
    NOTE = "note", "Note"
    CERTIFICATION = "certification", "Certification"


class ExpertDecision(models.Model):
    """Append-only audit trail of vetting: status decisions, checklist ticks, private notes and
    certification revocations; who, when, what, why. PostgreSQL refuses UPDATE and DELETE
    (migration 0003), so an expert with a trail cannot be deleted either (PROTECT)."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=16, choices=DecisionKind.choices,
                            default=DecisionKind.STATUS)
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
    premium_multiplier = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.00"),
        help_text="Pay multiplier for tickets resolved on this shift, e.g. 1.25.",
    )
    is_hot = models.BooleanField(default=False, help_text="Highlighted: the brand needs cover.")
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
            models.CheckConstraint(
                condition=Q(premium_multiplier__gte=Decimal("1.00"),
                            premium_multiplier__lte=Decimal("5.00")),
                name="shift_premium_between_1_and_5",
            ),
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


class PresenceStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class ExpertPresence(models.Model):
    """Kept by the websocket heartbeat. `chosen_status` is what the expert set by hand
    (available or away); `status` is what routing sees."""

    expert = models.OneToOneField(ExpertProfile, on_delete=models.CASCADE,
                                  related_name="presence")
    status = models.CharField(max_length=16, choices=PresenceStatus.choices,
                              default=PresenceStatus.OFFLINE)
    chosen_status = models.CharField(max_length=16, choices=PresenceStatus.choices,
                                     default=PresenceStatus.AVAILABLE)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(chosen_status="offline"),
                                   name="presence_chosen_is_available_or_away"),
        ]
        indexes = [
            models.Index(fields=["last_heartbeat_at"], condition=~Q(status="offline"),
                         name="presence_online_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} is {self.status}"


class ReviewReason(models.TextChoices):
    CONTROLLABLE = "controllable", "The expert could control it"
    UNCONTROLLABLE = "uncontrollable", "Outside the expert's control"


class InquiryReview(models.Model):
    """The customer's satisfaction with one resolved inquiry, as the brand recorded it."""

    inquiry = models.OneToOneField("marketplace.Inquiry", on_delete=models.CASCADE,
                                   related_name="review")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=16, choices=ReviewReason.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["expert", "reason", "-created_at"],
                                name="review_expert_recent")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for inquiry {self.inquiry_id}"


class ExpertQuality(models.Model):
    """The expert's rolling figures, recomputed by the quality service."""

    expert = models.OneToOneField(ExpertProfile, on_delete=models.CASCADE,
                                  related_name="quality")
    csat_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_reviews = models.PositiveSmallIntegerField(default=0)
    acceptance_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    offers_answered = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "expert quality"

    def __str__(self) -> str:
        return f"quality of {self.expert}"


class QualityMetric(models.TextChoices):
    CSAT = "csat", "CSAT"
    ACCEPTANCE = "acceptance", "Offer acceptance"
    NO_SHOWS = "no_shows", "No-shows"


class QualityAlert(models.Model):
    """An expert below one of a queue's thresholds. One open alert per expert, queue and metric;
    ops acknowledge it."""

    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE,
                               related_name="quality_alerts")
    queue = models.ForeignKey("marketplace.OverflowQueue", on_delete=models.CASCADE,
                              related_name="quality_alerts")
    metric = models.CharField(max_length=16, choices=QualityMetric.choices)
    value = models.IntegerField()
    threshold = models.IntegerField()
    suspended = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "queue", "metric"],
                                    condition=Q(acknowledged_at__isnull=True),
                                    name="one_open_alert_per_expert_queue_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.expert}: {self.metric} {self.value} vs {self.threshold}"
class ExpertApplication(models.Model):
    """What an applicant tells us and what ops check, step by step. The status itself lives on
    the profile; this row holds the progress of each step."""

    expert = models.OneToOneField(
        ExpertProfile, on_delete=models.CASCADE, related_name="application"
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    language_levels = models.JSONField(default=dict, blank=True)
    experience = models.TextField(blank=True)
    availability = models.TextField(blank=True)
    profile_saved_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    quiz_answers = models.JSONField(default=dict, blank=True)
    quiz_score = models.PositiveSmallIntegerField(null=True, blank=True)
    quiz_total = models.PositiveSmallIntegerField(null=True, blank=True)
    quiz_taken_at = models.DateTimeField(null=True, blank=True)
    sample_reply = models.TextField(blank=True)
    sample_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    identity_verified = models.BooleanField(default=False)
    writing_quality_checked = models.BooleanField(default=False)
    language_checked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(quiz_score__isnull=True) | Q(quiz_score__lte=models.F("quiz_total")),
                name="application_quiz_score_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Application of {self.expert}"

    @property
    def checklist_complete(self) -> bool:
        return self.identity_verified and self.writing_quality_checked and self.language_checked


class TrainingPack(models.Model):
    """A brand's guidelines (Markdown) and the quiz that certifies experts for its queues."""

    brand = models.OneToOneField(
        "marketplace.Brand", on_delete=models.CASCADE, related_name="training_pack"
    )
    guidelines = models.TextField(blank=True)
    pass_mark_percent = models.PositiveSmallIntegerField(default=80)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__gte=1) & Q(pass_mark_percent__lte=100),
                name="training_pack_pass_mark_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"Training pack of {self.brand}"


class TrainingQuestion(models.Model):
    pack = models.ForeignKey(TrainingPack, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    prompt = models.TextField()
    options = ArrayField(models.CharField(max_length=300))
    correct_option = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "position"], name="unique_question_position"),
            models.CheckConstraint(
                condition=Q(correct_option__lt=models.Func(
                    models.F("options"), function="cardinality",
                    output_field=models.IntegerField(),
                )),
                name="question_correct_option_exists",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt[:60]


RETAKE_COOLDOWN = timedelta(hours=1)
"""How long an expert waits after failing a brand's quiz before trying again."""


class CertificationAttempt(models.Model):
    """One try at a brand's quiz, scored on the server. Failed tries start the cool-down."""

    expert = models.ForeignKey(
        ExpertProfile, on_delete=models.CASCADE, related_name="certification_attempts"
    )
    brand = models.ForeignKey(
        "marketplace.Brand", on_delete=models.CASCADE, related_name="certification_attempts"
    )
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    attempted_at = models.DateTimeField()

    class Meta:
        ordering = ["-attempted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=models.F("total")),
                                   name="attempt_score_within_total"),
        ]
        indexes = [models.Index(fields=["expert", "brand", "-attempted_at"],
                                name="attempt_expert_brand_latest")]

    def __str__(self) -> str:
        return f"{self.expert} on {self.brand}: {self.score}/{self.total}"
