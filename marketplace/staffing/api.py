"""The brand's side of staffing over REST, one view per operation: brands' systems publish and
list shift slots and record customers' ratings of experts."""


from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from billing.terms.models import PremiumTier
from experts.quality.models import (
    CONTROLLABLE_REASONS,
    UNCONTROLLABLE_REASONS,
    RatingReason,
    ReviewReason,
    ReviewSource,
)
from experts.shifts import selectors as shifts_selectors
from experts.shifts.services import publishing as shifts_publishing
from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.json_fields import (
    BooleanInputField,
    ChoiceInputField,
    IntegerInputField,
    TextField,
)
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.queues import selectors as queues_selectors
from marketplace.surveys import services as surveys

RULES = OpenApiResponse(
    description="Fits the schema but breaks a rule it cannot state (the shift must end after "
    "it starts, last at most 48 hours and start in the future; a pattern's dates must be in "
    "order, at most 92 days apart and include a chosen weekday).")


TIER_HELP = ("The premium tier of the slot: " + ", ".join(PremiumTier.values)
             + "; Shiftline's rate card sets each tier's multiplier of the experts' pay.")


class SlotOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    queue = serializers.IntegerField(source="queue_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    headcount = serializers.IntegerField()
    seats_taken = serializers.IntegerField()
    waiting = serializers.IntegerField()
    premium_tier = serializers.ChoiceField(choices=PremiumTier.choices)
    is_hot = serializers.BooleanField()


SLOT_EXAMPLE = {
    "id": 41, "queue": 1, "starts_at": "2026-12-04T18:00:00Z", "ends_at": "2026-12-04T23:00:00Z",
    "headcount": 4, "seats_taken": 3, "waiting": 1, "premium_tier": "after_hours", "is_hot": True,
}


class ShiftSlotListCreateApi(BrandApi):
    """`/api/v1/shift-slots`: GET lists the brand's upcoming slots, POST publishes one."""

    @extend_schema_serializer(component_name="ShiftSlotCreateInput")
    class InputSerializer(serializers.Serializer):
        queue = IntegerInputField(min_value=1)
        starts_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, UTC.")
        ends_at = serializers.DateTimeField(help_text="ISO 8601, after `starts_at` (at most "
                                            "48 hours); without an offset, UTC.")
        headcount = IntegerInputField(min_value=1, max_value=500)
        premium_tier = ChoiceInputField(choices=PremiumTier.choices, required=False,
                                        default=PremiumTier.STANDARD, help_text=TIER_HELP)
        is_hot = BooleanInputField(default=False)

    @requires_scope(ApiScope.SHIFTS_READ)
    @extend_schema(
        operation_id="shift_slot_list", summary="The brand's upcoming shift slots",
        description="Slots of the brand's queues that are not over yet, soonest first (at most "
        "500), with the seats booked and the experts waiting for a seat.",
        responses=SlotOutputSerializer(many=True),
        examples=[OpenApiExample("An evening slot", value=[SLOT_EXAMPLE], response_only=True,
                                 status_codes=["200"])],
    )
    def get(self, request: Request) -> Response:
        slots = shifts_selectors.slot_list_for_brand(brand=self.client().brand,
                                                    now=timezone.now())
        return Response(SlotOutputSerializer(slots[:500], many=True).data)

    @requires_scope(ApiScope.SHIFTS_MANAGE)
    @extend_schema(
        operation_id="shift_slot_create", summary="Publish one shift slot",
        description="Times are ISO 8601 instants (without an offset, UTC). The slot must start "
        "in the future and last at most 48 hours; `premium_tier` (standard, after_hours, "
        "weekend, holiday or surge) is the tier the experts' pay on it is multiplied by. A "
        "queue of another brand answers 404.",
        request=InputSerializer,
        responses={201: SlotOutputSerializer, 422: RULES,
                   404: OpenApiResponse(description="No such queue for this brand.")},
        examples=[
            OpenApiExample("A hot evening slot", request_only=True, value={
                "queue": 1, "starts_at": "2026-12-04T18:00:00Z",
                "ends_at": "2026-12-04T23:00:00Z", "headcount": 4,
                "premium_tier": "after_hours", "is_hot": True}),
            OpenApiExample("Published", value={**SLOT_EXAMPLE, "seats_taken": 0, "waiting": 0},
                           response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand,
                                                          queue_id=data["queue"])
        slot = shifts_publishing.shift_slot_create(
            queue=queue, starts_at=data["starts_at"], ends_at=data["ends_at"],
            headcount=data["headcount"],
            premium_tier=data["premium_tier"], is_hot=data["is_hot"],
            now=timezone.now(),
        )
        slot.seats_taken = 0  # type: ignore[attr-defined]
        slot.waiting = 0  # type: ignore[attr-defined]
        return Response(SlotOutputSerializer(slot).data, status=status.HTTP_201_CREATED)


class ShiftPatternCreateApi(BrandApi):
    @extend_schema_serializer(component_name="ShiftPatternInput")
    class InputSerializer(serializers.Serializer):
        queue = IntegerInputField(min_value=1)
        date_from = serializers.DateField()
        date_to = serializers.DateField(help_text="Not before `date_from`, at most 92 days "
                                        "after it.")
        weekdays = serializers.ListField(child=IntegerInputField(min_value=0, max_value=6),
                                         min_length=1, max_length=7,
                                         help_text="0 = Monday … 6 = Sunday")
        starts = serializers.TimeField(help_text="Wall-clock time in the queue's time zone.")
        ends = serializers.TimeField(help_text="Not after `starts`: the shift ends next day.")
        headcount = IntegerInputField(min_value=1, max_value=500)
        premium_tier = ChoiceInputField(choices=PremiumTier.choices, required=False,
                                        default=PremiumTier.STANDARD, help_text=TIER_HELP)
        is_hot = BooleanInputField(default=False)

    @extend_schema_serializer(component_name="ShiftPatternOutput")
    class OutputSerializer(serializers.Serializer):
        created = serializers.ListField(child=serializers.IntegerField())
        already_published = serializers.IntegerField()
        in_the_past = serializers.IntegerField()

    @requires_scope(ApiScope.SHIFTS_MANAGE)
    @extend_schema(
        operation_id="shift_pattern_create",
        summary="Publish a weekly pattern of shift slots in the queue's time zone",
        description="One slot per chosen weekday from `date_from` to `date_to` (inclusive, at "
        "most 92 days), at the wall-clock times given in the queue's IANA time zone, so the "
        "slots keep their local times across daylight-saving changes. A time inside the "
        "spring-forward gap means the moment the clocks jump; a time that occurs twice means "
        "its first occurrence for a start and its second for an end. Slots already published "
        "with the same times, and those already begun, are skipped: sending the same pattern "
        "again adds nothing.",
        request=InputSerializer,
        responses={201: OutputSerializer, 422: RULES,
                   404: OpenApiResponse(description="No such queue for this brand.")},
        examples=[
            OpenApiExample("Weeknight evenings", request_only=True, value={
                "queue": 1, "date_from": "2026-12-01", "date_to": "2026-12-14",
                "weekdays": [0, 1, 2, 3, 4], "starts": "18:00", "ends": "23:00",
                "headcount": 3, "premium_tier": "standard", "is_hot": False}),
            OpenApiExample("Published", response_only=True, status_codes=["201"],
                           value={"created": [41, 42, 43], "already_published": 0,
                                  "in_the_past": 0}),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        queue = queues_selectors.queue_get_for_brand(brand=self.client().brand,
                                                          queue_id=data["queue"])
        result = shifts_publishing.shift_pattern_publish(
            queue=queue, date_from=data["date_from"], date_to=data["date_to"],
            weekdays=frozenset(data["weekdays"]), starts=data["starts"], ends=data["ends"],
            headcount=data["headcount"], premium_tier=data["premium_tier"],
            is_hot=data["is_hot"], published_by=None, now=timezone.now(),
        )
        return Response({"created": [slot.pk for slot in result.created],
                         "already_published": result.already_published,
                         "in_the_past": result.in_the_past}, status=status.HTTP_201_CREATED)


REVIEW_REASONS_HELP = (
    "Why, for a rating below 5 (at least one then, or the older `reason`; none for a 5). "
    "About the brand, left out of the expert's CSAT when every reason is one of these: "
    + ", ".join(UNCONTROLLABLE_REASONS) + ". About the answer, counted: "
    + ", ".join(CONTROLLABLE_REASONS) + ".")


class InquiryReviewCreateApi(BrandApi):
    @extend_schema_serializer(component_name="InquiryReviewInput")
    class InputSerializer(serializers.Serializer):
        rating = IntegerInputField(min_value=1, max_value=5)
        reasons = serializers.ListField(child=ChoiceInputField(choices=RatingReason.choices),
                                        required=False, default=list, max_length=9,
                                        help_text=REVIEW_REASONS_HELP)
        reason = ChoiceInputField(
            choices=ReviewReason.choices, required=False, default="",
            help_text="Deprecated, for older clients: whether the expert could control what "
            "the customer rated, without saying why. Ignored when `reasons` is given.")
        comment = TextField(max_length=2000, required=False, default="", allow_blank=True)

    @extend_schema_serializer(component_name="InquiryReviewOutput")
    class OutputSerializer(serializers.Serializer):
        inquiry = serializers.IntegerField(source="inquiry_id")
        rating = serializers.IntegerField()
        reasons = serializers.ListField(child=serializers.CharField())
        reason = serializers.CharField(
            source="reason_kind", help_text="Deprecated: controllable or uncontrollable, "
            "from `reasons` (uncontrollable when all are about the brand).")
        counts_for_expert = serializers.BooleanField(
            help_text="Whether it counts toward the expert's CSAT: every 5, and a lower "
            "rating with at least one reason about the answer.")
        source = serializers.ChoiceField(choices=ReviewSource.choices)  # type: ignore[assignment]
        created_at = serializers.DateTimeField()

    @requires_scope(ApiScope.REVIEWS_WRITE)
    @extend_schema(
        operation_id="inquiry_review_create",
        summary="Record the customer's satisfaction (1-5) with a resolved inquiry",
        description="Once per inquiry, and only for an inquiry an expert resolved (409 "
        "otherwise, also when the customer answered Shiftline's survey of it first). A rating "
        "below 5 needs `reasons` (older clients may send `reason`, controllable or "
        "uncontrollable, instead). The expert's CSAT (their last 50 counted ratings) counts "
        "every 5 and every lower rating with a reason about the answer; a low rating whose "
        "reasons are all about the brand is left out. Recorded with source `brand_review`. "
        "Another brand's inquiry answers 404.",
        request=InputSerializer,
        responses={201: OutputSerializer,
                   400: OpenApiResponse(description="Field by field, e.g. a rating below 5 "
                                        "without a reason."),
                   404: OpenApiResponse(description="No such inquiry for this brand."),
                   409: OpenApiResponse(description="Not resolved by an expert, or reviewed "
                                        "already.")},
        parameters=[OpenApiParameter("inquiry_id", int, OpenApiParameter.PATH)],
        examples=[
            OpenApiExample("A fair 2", request_only=True,
                           value={"rating": 2, "reasons": ["shipping", "refund_not_processed"],
                                  "comment": "Kind, but my refund is still missing."}),
            OpenApiExample("An older client", request_only=True,
                           value={"rating": 5, "reason": "controllable",
                                  "comment": "Quick and kind."}),
            OpenApiExample("Recorded", response_only=True, status_codes=["201"],
                           value={"inquiry": 48213, "rating": 2,
                                  "reasons": ["shipping", "refund_not_processed"],
                                  "reason": "uncontrollable", "counts_for_expert": False,
                                  "source": "brand_review",
                                  "created_at": "2026-11-22T21:30:00Z"}),
        ],
    )
    def post(self, request: Request, inquiry_id: int) -> Response:
        inquiries_selectors.inquiry_get_for_brand(brand=self.client().brand,
                                                    inquiry_id=inquiry_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = surveys.brand_review_record(
            brand=self.client().brand, inquiry_id=inquiry_id, rating=data["rating"],
            reasons=data["reasons"], legacy_reason=data["reason"], comment=data["comment"],
            now=timezone.now(),
        )
        return Response(self.OutputSerializer(review).data, status=status.HTTP_201_CREATED)
