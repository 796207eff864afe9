from django.contrib.auth import views as auth_views
from django.urls import include, path

from frontend.views import (
    apply,
    brand,
    expert,
    expert_shifts,
    home,
    ops,
    shift_publishing,
    training,
    vetting,
)

expert_patterns = (
    [
        path("", expert.workspace, name="workspace"),
        path("shifts/<int:booking_id>/check-in/", expert_shifts.check_in, name="check_in"),
        path("shifts/", expert_shifts.marketplace, name="marketplace"),
        path("shifts/mine/", expert_shifts.my_shifts, name="my_shifts"),
        path("shifts/<int:slot_id>/book/", expert_shifts.book, name="book"),
        path("shifts/<int:slot_id>/waitlist/", expert_shifts.waitlist_join, name="waitlist_join"),
        path("shifts/<int:slot_id>/waitlist/leave/", expert_shifts.waitlist_leave,
             name="waitlist_leave"),
        path("bookings/<int:booking_id>/cancel/", expert_shifts.cancel, name="cancel"),
        path("bookings/<int:booking_id>/release/", expert_shifts.release, name="release"),
        path("bookings/<int:booking_id>/check-out/", expert_shifts.check_out, name="check_out"),
        path("presence/", expert_shifts.set_presence, name="presence"),
        path("offers/<int:offer_id>/accept/", expert.offer_accept, name="offer_accept"),
        path("offers/<int:offer_id>/decline/", expert.offer_decline, name="offer_decline"),
        path("inquiries/<int:inquiry_id>/", expert.inquiry, name="inquiry"),
        path("inquiries/<int:inquiry_id>/reply/", expert.reply, name="reply"),
        path("inquiries/<int:inquiry_id>/resolve/", expert.resolve, name="resolve"),
        path("certifications/", training.certifications, name="certifications"),
        path("certifications/<slug:slug>/", training.brand_quiz, name="brand_quiz"),
    ],
    "expert",
)
brand_patterns = (
    [
        path("", brand.console, name="console"),
        path("inquiries/<int:inquiry_id>/", brand.inquiry, name="inquiry"),
        path("shifts/", shift_publishing.brand_shifts, name="shifts"),
        path("shifts/publish/", shift_publishing.brand_publish, name="publish"),
        path("training/", training.pack, name="training"),
        path("training/save/", training.pack_save, name="training_save"),
        path("training/questions/", training.question_add, name="training_question_add"),
        path("training/questions/<int:question_id>/", training.question_update,
             name="training_question_update"),
        path("training/questions/<int:question_id>/delete/", training.question_delete,
             name="training_question_delete"),
        path("certifications/<int:expert_id>/revoke/", training.certification_revoke,
             name="certification_revoke"),
    ],
    "brand",
)
ops_patterns = (
    [
        path("", ops.console, name="console"),
        path("experts/<int:expert_id>/decide/", ops.expert_decide, name="expert_decide"),
        path("inquiries/<int:inquiry_id>/", ops.inquiry, name="inquiry"),
        path("shifts/", shift_publishing.ops_shifts, name="shifts"),
        path("shifts/publish/", shift_publishing.ops_publish, name="publish"),
        path("quality/", shift_publishing.ops_quality, name="quality"),
        path("quality/alerts/<int:alert_id>/acknowledge/", shift_publishing.ops_alert_acknowledge,
             name="alert_acknowledge"),
        path("vetting/", vetting.board, name="vetting"),
        path("vetting/<int:expert_id>/", vetting.detail, name="vetting_detail"),
        path("vetting/<int:expert_id>/checklist/", vetting.checklist, name="vetting_checklist"),
        path("vetting/<int:expert_id>/notes/", vetting.note, name="vetting_note"),
        path("vetting/<int:expert_id>/decide/", vetting.decide, name="vetting_decide"),
        path("vetting/<int:expert_id>/certifications/<int:brand_id>/revoke/",
             vetting.certification_revoke, name="vetting_certification_revoke"),
    ],
    "ops",
)
apply_patterns = (
    [
        path("", apply.start, name="start"),
        path("signup/", apply.signup, name="signup"),
        path("verify/<str:token>/", apply.verify, name="verify"),
        path("verify-again/", apply.verify_resend, name="verify_resend"),
        path("status/", apply.status, name="status"),
        path("profile/", apply.profile, name="profile"),
        path("terms/", apply.terms, name="terms"),
        path("quiz/", apply.quiz, name="quiz"),
        path("sample/", apply.sample, name="sample"),
        path("submit/", apply.submit, name="submit"),
    ],
    "apply",
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
    path("apply/", include(apply_patterns)),
]
