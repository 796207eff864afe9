from django.urls import path

from routing.consumers import ExpertConsumer

websocket_urlpatterns = [
    path("ws/expert/", ExpertConsumer.as_asgi()),
]
