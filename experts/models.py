"""The supply side: expert profiles, brand certifications, shift slots and bookings."""

from datetime import timedelta

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
