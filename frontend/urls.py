from django.contrib.auth import views as auth_views
from django.urls import include, path

from frontend.views import brand, brand_channels, expert, home, ops

expert_patterns = (
    [
        path("", expert.workspace, name="workspace"),
        path("shifts/<int:booking_id>/check-in/", expert.check_in, name="check_in"),
        path("offers/<int:offer_id>/accept/", expert.offer_accept, name="offer_accept"),
        path("offers/<int:offer_id>/decline/", expert.offer_decline, name="offer_decline"),
        path("inquiries/<int:inquiry_id>/", expert.inquiry, name="inquiry"),
        path("inquiries/<int:inquiry_id>/reply/", expert.reply, name="reply"),
        path("inquiries/<int:inquiry_id>/resolve/", expert.resolve, name="resolve"),
    ],
    "expert",
)
brand_patterns = (
    [
        path("", brand.console, name="console"),
        path("inquiries/<int:inquiry_id>/", brand.inquiry, name="inquiry"),
        path("messages/<int:message_id>/retry/", brand_channels.message_retry,
             name="message_retry"),
        path("queues/<int:queue_id>/channels/", brand_channels.queue_channels_page,
             name="queue_channels"),
        path("queues/<int:queue_id>/channels/update/", brand_channels.queue_channels_update,
             name="queue_channels_update"),
    ],
    "brand",
)
ops_patterns = (
    [
        path("", ops.console, name="console"),
        path("experts/<int:expert_id>/decide/", ops.expert_decide, name="expert_decide"),
        path("inquiries/<int:inquiry_id>/", ops.inquiry, name="inquiry"),
    ],
    "ops",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", home.LogoutView.as_view(), name="logout"),
    path("expert/", include(expert_patterns)),
    path("brand/", include(brand_patterns)),
    path("ops/", include(ops_patterns)),
]
