from django.urls import path

from marketplace.consumers import BrandConsumer
from routing.consumers import ExpertConsumer

websocket_urlpatterns = [
    path("ws/expert/", ExpertConsumer.as_asgi()),
    path("ws/brand/", BrandConsumer.as_asgi()),
]
