"""Applications and the append-only vetting trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from experts.profiles.models import ExpertProfile, ExpertStatus


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
    # How many times the applicant answered the quiz; at most SCREENING_QUIZ_MAX_ATTEMPTS.
    quiz_attempts = models.PositiveSmallIntegerField(default=0)
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
            models.CheckConstraint(
                condition=Q(quiz_taken_at__isnull=True, quiz_attempts=0)
                | Q(quiz_taken_at__isnull=False, quiz_attempts__gte=1),
                name="application_quiz_taken_counts_attempts",
            ),
        ]

    def __str__(self) -> str:
        return f"Application of {self.expert}"

    @property
    def checklist_complete(self) -> bool:
        return self.identity_verified and self.writing_quality_checked and self.language_checked
