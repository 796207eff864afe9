"""The survey's JSON endpoint, for the chat widget on a brand's site: the token is the
credential (single use), so any origin may call it (CORS `*`) and no cookie is read."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from experts.quality.models import RatingReason
from marketplace.infra.json_fields import (
    BooleanInputField,
    ChoiceInputField,
    IntegerInputField,
    TextField,
)
from marketplace.surveys import services as surveys

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}

REASONS_HELP = ("Why, for a rating below 5 (at least one then; ignored for a 5). About the "
                "answer: accuracy, tone, speed, not_solved. About the product or policy: "
                "policy, shipping, product_quality, wrong_item, refund_not_processed.")


class SurveyAnswerApi(APIView):
    """`POST /survey/api/v1/<token>`: the customer's answer from the chat widget."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type] = []

    @extend_schema_serializer(component_name="SurveyAnswerInput")
    class InputSerializer(serializers.Serializer):
        rating = IntegerInputField(min_value=1, max_value=5)
        reasons = serializers.ListField(child=ChoiceInputField(choices=RatingReason.choices),
                                        required=False, default=list, max_length=9,
                                        help_text=REASONS_HELP)
        speed_as_promised = BooleanInputField(
            required=False, allow_null=True, default=None,
            help_text="Was the reply as fast as we promised? null: not answered.")
        comment = TextField(max_length=2000, required=False, default="", allow_blank=True)

    @extend_schema_serializer(component_name="SurveyAnswerOutput")
    class OutputSerializer(serializers.Serializer):
        inquiry = serializers.IntegerField(source="inquiry_id")
        rating = serializers.IntegerField()
        reasons = serializers.ListField(child=serializers.CharField())
        speed_as_promised = serializers.BooleanField(allow_null=True)
        created_at = serializers.DateTimeField()

    def finalize_response(self, request: Request, response: Response, *args: Any,
                          **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    @extend_schema(exclude=True)
    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        """The CORS preflight: any origin may post JSON here."""
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="survey_answer", auth=[],
        summary="Answer the customer survey of a resolved inquiry (chat widget)",
        description="The token (from the chat's state at its end, or the survey link) is the "
        "only credential and works once; any origin may call this (CORS `*`). A rating below "
        "5 needs at least one reason. The answer counts toward the expert's CSAT unless the "
        "rating is below 5 and every reason is about the product or policy.",
        request=InputSerializer,
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH)],
        responses={
            201: OutputSerializer,
            400: OpenApiResponse(description="Field by field, e.g. `{\"reasons\": [\"A rating "
                                 "below 5 needs at least one reason.\"]}`."),
            404: OpenApiResponse(description="Not a survey token of ours (tampered, made up)."),
            409: OpenApiResponse(description="Answered already (`survey_answered`), or not "
                                 "open now (`survey_closed`: the inquiry was reopened, or the "
                                 "brand rated it)."),
            410: OpenApiResponse(description="Expired (28 days after it was made)."),
        },
        examples=[
            OpenApiExample("A fair 3", request_only=True, value={
                "rating": 3, "reasons": ["shipping"], "speed_as_promised": True,
                "comment": "Kind, but the parcel is still lost."}),
            OpenApiExample("Recorded", response_only=True, status_codes=["201"], value={
                "inquiry": 48213, "rating": 3, "reasons": ["shipping"],
                "speed_as_promised": True, "created_at": "2026-11-22T21:30:00Z"}),
        ],
    )
    def post(self, request: Request, token: str) -> Response:
        surveys.survey_check_open(token=token, now=timezone.now())
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = surveys.survey_answer(
            token=token, rating=data["rating"], reasons=data["reasons"],
            speed_as_promised=data["speed_as_promised"], comment=data["comment"],
            now=timezone.now())
        return Response(self.OutputSerializer(review).data, status=status.HTTP_201_CREATED)
