"""Retrying a failed reply over REST."""


from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.delivery import services as delivery
from marketplace.inquiries import selectors as inquiries_selectors
from marketplace.inquiries.api_examples import MESSAGE_EXAMPLE
from marketplace.inquiries.serializers import MessageOutputSerializer


class MessageRetryDeliveryApi(BrandApi):
    @requires_scope(ApiScope.INQUIRIES_WRITE)
    @extend_schema(
        operation_id="message_retry_delivery",
        summary="Deliver a failed reply again",
        description="Only a reply whose delivery failed (status `failed`) can be retried; a "
        "new round of attempts starts and is logged. Anything else answers 409.",
        request=None,
        responses={202: MessageOutputSerializer,
                   409: OpenApiResponse(description="The reply's delivery has not failed.")},
        examples=[OpenApiExample("Retry scheduled", response_only=True, status_codes=["202"],
                                 value={**MESSAGE_EXAMPLE, "delivery_status": "pending"})],
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = delivery.message_retry_delivery(brand=self.client().brand,
                                                  message_id=message_id, now=timezone.now())
        message = inquiries_selectors.message_list_for_inquiry(
            inquiry=message.inquiry).get(pk=message.pk)
        return Response(MessageOutputSerializer(message).data, status=status.HTTP_202_ACCEPTED)
