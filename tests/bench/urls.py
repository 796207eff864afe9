"""The production URLs plus two bench-only endpoints, for the intake benchmark only."""

import uuid

from django.conf import settings
from django.urls import path
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.access.api import BrandApi
from marketplace.access.scopes import ApiScope, requires_scope
from marketplace.infra.json_fields import EmailInputField, TextField
from marketplace.infra.tasking import enqueue_on_commit
from marketplace.inquiries.models import Customer
from marketplace.urls import urlpatterns as production_urlpatterns


class BareApi(APIView):
    """The floor: DRF's request, parsing and response cycle, no authentication, no database."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        return Response({"ok": True}, status=status.HTTP_201_CREATED)


class BaselineApi(BrandApi):
    """The intake's honest baseline (issue 12 §8): the least any endpoint that takes work in
    must do. The same API-key authentication, permissions and parser as the intake (it is a
    `BrandApi` needing the same scope), a serializer's validation, one row inserted with the ORM
    and one Celery task published (after commit, as the intake publishes its routing task)."""

    class InputSerializer(serializers.Serializer):
        email = EmailInputField(max_length=254)
        name = TextField(max_length=200, required=False, default="", allow_blank=True)

    @requires_scope(ApiScope.INQUIRIES_WRITE)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = Customer.objects.create(brand=self.client().brand,
                                           email=serializer.validated_data["email"],
                                           name=serializer.validated_data["name"])
        enqueue_on_commit("bench.noop_count",
                          f"{settings.REDIS_KEY_PREFIX}:bench:baseline:{uuid.uuid4().hex}")
        return Response({"id": customer.pk}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("bench/bare", BareApi.as_view()),
    path("bench/baseline", BaselineApi.as_view()),
    *production_urlpatterns,
]
