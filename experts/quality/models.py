"""Reviews, quality figures and alerts."""


from django.conf import settings
from django.db import models
from django.db.models import Q

from experts.profiles.models import ExpertProfile


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
