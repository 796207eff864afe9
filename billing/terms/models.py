"""What Shiftline charges and pays, set by ops: the rate card (per currency: the expert's base
rate per channel, the premium tiers' multipliers, the quality bonus) and each brand's contract
(its price per resolved ticket per channel, whether that price rises with the tier, and an
optional fee for a confirmed escalation with the expert's share). Every change is kept in
`PricingChange`, which the database keeps append-only (migration 0005)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

CHANNELS = ("email", "chat", "social")


class PremiumTier(models.TextChoices):
    """The tier whoever publishes a shift slot picks; the rate card sets its multiplier."""

    STANDARD = "standard", "Standard"
    AFTER_HOURS = "after_hours", "After hours"
    WEEKEND = "weekend", "Weekend"
    HOLIDAY = "holiday", "Public holiday"
    SURGE = "surge", "Surge"


MULTIPLIER_LIMITS = [MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("5.00"))]


def _multiplier(label: str, default: str) -> models.DecimalField:
    return models.DecimalField(max_digits=4, decimal_places=2, default=Decimal(default),
                               validators=MULTIPLIER_LIMITS,
                               help_text=f"{label}: the base rate is multiplied by this.")


class RateCard(models.Model):
    """What experts earn per resolved ticket in one currency; amounts in minor units."""

    currency = models.CharField(max_length=3, unique=True)
    email_rate_minor = models.PositiveIntegerField(help_text="Expert base rate for an email.")
    chat_rate_minor = models.PositiveIntegerField(help_text="Expert base rate for a chat.")
    social_rate_minor = models.PositiveIntegerField(
        help_text="Expert base rate for a social message.")
    list_price_minor = models.PositiveIntegerField(
        help_text="The price per ticket a new brand's contract starts at, on every channel.")
    after_hours_multiplier = _multiplier("After hours", "1.25")
    weekend_multiplier = _multiplier("Weekend", "1.50")
    holiday_multiplier = _multiplier("Public holiday", "2.00")
    surge_multiplier = _multiplier("Surge", "1.50")
    quality_bonus_minor = models.PositiveIntegerField(
        default=0, help_text="Paid per ticket on top when the expert's CSAT is at or above "
        "the threshold.")
    quality_csat_threshold = models.PositiveSmallIntegerField(
        default=90, validators=[MaxValueValidator(100)],
        help_text="CSAT percent over the expert's last 50 controllable reviews.")
    quality_min_reviews = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(50)],
        help_text="Reviews the CSAT must rest on before a bonus is paid.")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"),
                                   name="rate_card_currency_is_iso_code"),
            models.CheckConstraint(
                condition=Q(after_hours_multiplier__gte=1, weekend_multiplier__gte=1,
                            holiday_multiplier__gte=1, surge_multiplier__gte=1),
                name="rate_card_multipliers_at_least_1"),
            models.CheckConstraint(condition=Q(quality_csat_threshold__lte=100),
                                   name="rate_card_threshold_is_a_percent"),
        ]

    def __str__(self) -> str:
        return f"Rate card {self.currency}"

    def base_rate_minor(self, channel: str) -> int:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        return int(getattr(self, f"{channel}_rate_minor"))

    def multiplier(self, tier: str) -> Decimal:
        if tier == PremiumTier.STANDARD:
            return Decimal("1.00")
        if tier not in PremiumTier.values:
            raise ValueError(f"unknown premium tier {tier!r}")
        return Decimal(getattr(self, f"{tier}_multiplier"))


class BrandContract(models.Model):
    """What one brand pays per resolved ticket in one currency; amounts in minor units."""

    brand_id = models.BigIntegerField()
    brand_name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    email_price_minor = models.PositiveIntegerField()
    chat_price_minor = models.PositiveIntegerField()
    social_price_minor = models.PositiveIntegerField()
    price_rises_with_tier = models.BooleanField(
        default=False, help_text="The brand's price is multiplied by the slot's tier too.")
    escalation_fee_minor = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Billed when the brand confirms an escalation; empty: escalations are free "
        "and unpaid.")
    escalation_expert_share_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)],
        help_text="The expert's share of the escalation fee, in percent.")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["brand_name", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["brand_id", "currency"],
                                    name="one_contract_per_brand_and_currency"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"),
                                   name="contract_currency_is_iso_code"),
            models.CheckConstraint(
                condition=Q(escalation_fee_minor__isnull=True,
                            escalation_expert_share_percent__isnull=True)
                | Q(escalation_fee_minor__isnull=False,
                    escalation_expert_share_percent__isnull=False,
                    escalation_expert_share_percent__lte=100),
                name="escalation_fee_has_a_share"),
        ]

    def __str__(self) -> str:
        return f"Contract {self.brand_name} {self.currency}"

    def price_minor(self, channel: str) -> int:
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}")
        return int(getattr(self, f"{channel}_price_minor"))


class PricingChange(models.Model):
    """One change ops made to a rate card or a contract: who, when, and each field's before
    and after. Append-only."""

    subject = models.CharField(max_length=200)
    rate_card = models.ForeignKey(RateCard, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="changes")
    contract = models.ForeignKey(BrandContract, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="changes")
    actor_id = models.BigIntegerField(null=True, blank=True,
                                      help_text="The ops user's id; empty for Shiftline.")
    actor_name = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} changed by {self.actor_name}"
