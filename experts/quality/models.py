"""Reviews, quality figures and alerts."""


from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from experts.profiles.models import ExpertProfile


class ReviewReason(models.TextChoices):
    """What older API clients said instead of reasons: only whether the expert could control
    it. Kept on the reviews recorded that way (`InquiryReview.legacy_reason`)."""

    CONTROLLABLE = "controllable", "The expert could control it"
    UNCONTROLLABLE = "uncontrollable", "Outside the expert's control"


class RatingReason(models.TextChoices):
    """Why a customer rated below 5. The first five are about the brand (its policy, its
    products, its logistics), which no expert controls; the last four are about the answer."""

    POLICY = "policy", _("Policy")
    SHIPPING = "shipping", _("Shipping")
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    WRONG_ITEM = "wrong_item", _("Wrong item delivered")
    REFUND_NOT_PROCESSED = "refund_not_processed", _("Refund not processed")
    ACCURACY = "accuracy", _("Accuracy")
    TONE = "tone", _("Tone")
    SPEED = "speed", _("Speed")
    NOT_SOLVED = "not_solved", _("Did not solve it")


UNCONTROLLABLE_REASONS = (RatingReason.POLICY, RatingReason.SHIPPING,
                          RatingReason.PRODUCT_QUALITY, RatingReason.WRONG_ITEM,
                          RatingReason.REFUND_NOT_PROCESSED)
"""About the brand: a low rating with only these reasons leaves the expert's CSAT alone."""


CONTROLLABLE_REASONS = (RatingReason.ACCURACY, RatingReason.TONE, RatingReason.SPEED,
                        RatingReason.NOT_SOLVED)
"""About the answer: a low rating with any of these counts toward the expert's CSAT."""


class ReviewSource(models.TextChoices):
    CUSTOMER_SURVEY = "customer_survey", "Customer survey"
    BRAND_REVIEW = "brand_review", "Brand review"


def counted_for_expert() -> Q:
    """The reviews that count toward an expert's CSAT: every 5, and every lower rating with a
    controllable reason (or, recorded before reasons existed, marked controllable). A low
    rating whose reasons are all about the brand is left out."""
    return (Q(rating=5) | Q(reasons__overlap=list(CONTROLLABLE_REASONS))
            | Q(legacy_reason=ReviewReason.CONTROLLABLE))


class InquiryReview(models.Model):
    """A rating of one resolved inquiry (1-5), by its customer (the survey) or by the brand.
    Below 5 it says why: `reasons`, or for reviews recorded before reasons existed (and older
    API clients) `legacy_reason`, which says only whether the expert could control it."""

    inquiry = models.OneToOneField("marketplace.Inquiry", on_delete=models.CASCADE,
                                   related_name="review")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    reasons = ArrayField(models.CharField(max_length=32, choices=RatingReason.choices),
                         default=list, blank=True)
    legacy_reason = models.CharField(
        max_length=16, choices=ReviewReason.choices, blank=True,
        help_text="Controllable or not, as reviews said before reasons existed; empty since.")
    source = models.CharField(max_length=16, choices=ReviewSource.choices,
                              default=ReviewSource.BRAND_REVIEW)
    speed_as_promised = models.BooleanField(
        null=True, blank=True, help_text="The customer's answer to: was the reply as fast as "
        "we promised? Empty when not asked or not answered.")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="review_rating_1_to_5"),
            models.CheckConstraint(
                condition=Q(rating=5) | Q(reasons__len__gt=0) | ~Q(legacy_reason=""),
                name="review_below_5_has_a_reason"),
            models.CheckConstraint(condition=Q(reasons__contained_by=RatingReason.values),
                                   name="review_reasons_known"),
        ]
        indexes = [models.Index(fields=["expert", "-created_at"], name="review_expert_latest")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for inquiry {self.inquiry_id}"

    @property
    def reason_kind(self) -> str:
        """Controllable or not, as older API clients read it: the legacy flag as recorded,
        else uncontrollable when every reason is about the brand."""
        if self.legacy_reason:
            return self.legacy_reason
        if self.reasons and set(self.reasons) <= set(UNCONTROLLABLE_REASONS):
            return ReviewReason.UNCONTROLLABLE
        return ReviewReason.CONTROLLABLE

    @property
    def counts_for_expert(self) -> bool:
        return (self.rating == 5 or bool(set(self.reasons) & set(CONTROLLABLE_REASONS))
                or self.legacy_reason == ReviewReason.CONTROLLABLE)


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
