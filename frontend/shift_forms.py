"""Forms for publishing shift slots and setting a queue's shift policy. They only parse and
check the shape of input; the services apply the business rules."""

from django import forms
from django.db.models import QuerySet

from billing.terms.models import PremiumTier
from marketplace.queues.models import OverflowQueue

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class _QueueForm(forms.Form):
    queue = forms.ModelChoiceField(queryset=OverflowQueue.objects.none(),
                                   empty_label=None)

    def __init__(self, *args: object, queues: QuerySet[OverflowQueue], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]


class _SlotTermsForm(_QueueForm):
    starts = forms.TimeField(label="Starts (queue time)",
                             widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label="Ends (queue time)", help_text="Not after the start: overnight.",
                           widget=forms.TimeInput(attrs={"type": "time"}))
    headcount = forms.IntegerField(min_value=1, max_value=500, initial=1)
    premium_tier = forms.ChoiceField(choices=PremiumTier.choices, initial=PremiumTier.STANDARD,
                                     label="Premium tier")
    is_hot = forms.BooleanField(required=False, label="Hot")


class SlotForm(_SlotTermsForm):
    field_order = ["queue", "day"]

    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class PatternForm(_SlotTermsForm):
    field_order = ["queue", "date_from", "date_to", "weekdays"]

    date_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    date_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="To")
    weekdays = forms.TypedMultipleChoiceField(choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple)


class PolicyForm(_QueueForm):
    cancel_cutoff_hours = forms.IntegerField(min_value=0, max_value=24 * 14, initial=12,
                                             label="Cancel cut-off (hours)")
    min_csat_percent = forms.IntegerField(min_value=0, max_value=100, required=False,
                                          label="Min CSAT %")
    min_acceptance_percent = forms.IntegerField(min_value=0, max_value=100, required=False,
                                                label="Min acceptance %")
    max_no_shows = forms.IntegerField(min_value=0, max_value=100, required=False,
                                      label="Max no-shows (30 days)")
    suspend_automatically = forms.BooleanField(required=False, label="Suspend automatically")
