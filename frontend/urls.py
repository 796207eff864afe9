from django.contrib.auth import views as auth_views
from django.urls import include, path

from frontend.views import brand, brand_queues, brand_settings, expert, home, onboarding, ops

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
        path("keys/", brand_settings.keys, name="keys"),
        path("keys/create/", brand_settings.key_create, name="key_create"),
        path("keys/<int:key_id>/revoke/", brand_settings.key_revoke, name="key_revoke"),
        path("keys/<int:key_id>/rotate/", brand_settings.key_rotate, name="key_rotate"),
        path("members/", brand_settings.members, name="members"),
        path("members/invite/", brand_settings.member_invite, name="member_invite"),
        path("members/<int:member_id>/role/", brand_settings.member_change_role,
             name="member_role"),
        path("members/<int:member_id>/remove/", brand_settings.member_remove,
             name="member_remove"),
        path("billing/", brand_settings.billing, name="billing"),
        path("queues/", brand_queues.queues, name="queues"),
        path("queues/create/", brand_queues.queue_create, name="queue_create"),
        path("queues/<int:queue_id>/", brand_queues.queue_detail, name="queue"),
        path("queues/<int:queue_id>/settings/", brand_queues.queue_update, name="queue_update"),
        path("queues/<int:queue_id>/macros/", brand_queues.macro_save, name="macro_save"),
        path("queues/<int:queue_id>/macros/<int:macro_id>/delete/", brand_queues.macro_delete,
             name="macro_delete"),
    ],
    "brand",
)
ops_patterns = (
    [
        path("", ops.console, name="console"),
        path("experts/<int:expert_id>/decide/", ops.expert_decide, name="expert_decide"),
        path("inquiries/<int:inquiry_id>/", ops.inquiry, name="inquiry"),
        path("brands/invite/", onboarding.ops_brand_invite, name="brand_invite"),
    ],
    "ops",
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", home.LogoutView.as_view(), name="logout"),
    path("signup/", onboarding.signup, name="signup"),
    path("signup/verify/<str:token>/", onboarding.signup_verify, name="signup_verify"),
    path("invitations/<str:token>/", onboarding.invitation_accept, name="invitation_accept"),
    path("expert/", include(expert_patterns)),
    path("brand/", include(brand_patterns)),
    path("ops/", include(ops_patterns)),
]
