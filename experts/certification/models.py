"""Brand certification: training packs, quiz attempts, grants."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import (
    ArrayField,
)
from django.db import models
from django.db.models import Q

from experts.profiles.models import ExpertProfile


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
