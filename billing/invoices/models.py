"""Monthly brand invoices and credit notes, the VAT rates ops maintain, and the record of which
queue and channel each billed ticket belongs to (billing cannot ask marketplace, so the caller
that resolves a ticket records it here, keyed by the inquiry id the ledger refers to)."""

from django.db import models
from django.db.models import Q


class VatRate(models.Model):
    """A country's standard VAT rate from a date on; the rate in force on a day is the row with
    the latest `valid_from` on or before it."""

    country = models.CharField(max_length=2, help_text="ISO 3166 alpha-2, such as IE.")
    rate_percent = models.DecimalField(max_digits=5, decimal_places=2)
    valid_from = models.DateField()

    class Meta:
        verbose_name = "VAT rate"
        verbose_name_plural = "VAT rates"
        ordering = ["country", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["country", "valid_from"], name="unique_vat_rate"),
            models.CheckConstraint(condition=Q(rate_percent__gte=0, rate_percent__lt=100),
                                   name="vat_rate_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.rate_percent}% from {self.valid_from}"


class BilledTicket(models.Model):
    """Where a billed ticket came from: the queue and channel its invoice line is grouped by."""

    inquiry_id = models.BigIntegerField(unique=True)
    brand_id = models.BigIntegerField()
    queue_id = models.BigIntegerField()
    queue_name = models.CharField(max_length=200)
    channel = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"#{self.inquiry_id} {self.queue_name} {self.channel}"


class InvoiceSeries(models.Model):
    """The counter of one numbering series. Numbers are taken at issue, under this row's FOR
    UPDATE lock, so they are gapless and in issue order."""

    prefix = models.CharField(max_length=16, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "invoice series"

    def __str__(self) -> str:
        return f"{self.prefix} (last {self.last_number})"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class VatTreatment(models.TextChoices):
    DOMESTIC = "domestic", "VAT charged"
    REVERSE_CHARGE = "reverse_charge", "Reverse charge"
    OUTSIDE_EU = "outside_eu", "Outside the scope of EU VAT"


class Invoice(models.Model):
    """An invoice or a credit note. The brand's and the platform's details are copied in when it
    is drafted and again at issue, so an issued document never changes with later edits."""

    kind = models.CharField(max_length=16, choices=InvoiceKind.choices,
                            default=InvoiceKind.INVOICE)
    series = models.CharField(max_length=16)
    number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT)
    brand_id = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The last day of the period.")
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    credited_invoice = models.ForeignKey("self", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="credit_notes")
    brand_name = models.CharField(max_length=200)
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True)
    billing_address = models.TextField(blank=True)
    billing_country = models.CharField(max_length=2, blank=True)
    vat_number = models.CharField(max_length=20, blank=True)
    platform_details = models.JSONField(default=dict)
    vat_treatment = models.CharField(max_length=16, choices=VatTreatment.choices)
    vat_rate_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    net_minor = models.BigIntegerField(default=0)
    vat_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        indexes = [models.Index(fields=["brand_id", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="unique_invoice_number",
                                    condition=Q(number__isnull=False)),
            models.UniqueConstraint(
                fields=["brand_id", "currency", "period_start"], name="one_invoice_per_month",
                condition=Q(kind="invoice") & ~Q(status="void"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False, issue_date__isnull=False),
                name="issued_invoice_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        if self.number is None:
            return f"Draft {self.kind.replace('_', ' ')} {self.pk}"
        return f"{self.series}-{self.number:06d}"

    @property
    def is_reverse_charge(self) -> bool:
        return self.vat_treatment == VatTreatment.REVERSE_CHARGE


class InvoiceLineKind(models.TextChoices):
    TICKETS = "tickets", "Resolved tickets"
    ESCALATION_FEES = "escalation_fees", "Confirmed escalation fees"
    CREDIT = "credit", "Credit"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=InvoiceLineKind.choices)
    description = models.CharField(max_length=300)
    queue_name = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=32, blank=True)
    quantity = models.PositiveIntegerField()
    unit_minor = models.BigIntegerField()
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="unique_line_position"),
        ]

    def __str__(self) -> str:
        return self.description


class InvoicePayment(models.Model):
    """A bank transfer ops matched to an invoice; the bank reference keeps an import from
    recording the same transfer twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount_minor = models.BigIntegerField()
    received_on = models.DateField()
    bank_reference = models.CharField(max_length=200)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "bank_reference"],
                                    name="unique_invoice_payment_reference"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.amount_minor} {self.bank_reference}"
