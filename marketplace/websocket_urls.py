"""The websocket routes: the expert workspace's and the brand console's live connections."""


from django.urls import path

from experts.presence.consumers import ExpertConsumer
from marketplace.inquiries.consumers import BrandConsumer

websocket_urlpatterns = [
    path("ws/expert/", ExpertConsumer.as_asgi()),
    path("ws/brand/", BrandConsumer.as_asgi()),
]
