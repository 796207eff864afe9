"""What base.html needs to draw the navigation of every page: the signed-in user's role and the
item of that role's navigation the page belongs to (marked `aria-current="page"`).

The views do not pass either: the role is looked up here, once per request and only when a
template asks for it, with the same public selectors and the same order as the home page
(ops staff first, then an expert profile, then a brand membership)."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from experts.models import ExpertStatus
from experts.profiles import policy as expert_policy
from experts.profiles.selectors import expert_profile_for_user
from marketplace.onboarding import policy
from marketplace.onboarding.selectors import brand_membership_for_user
from marketplace.two_factor.selectors import OFFERED_BRAND_ROLES

BRAND, EXPERT, APPLICANT, OPS = "brand", "expert", "applicant", "ops"

# An expert profile in one of these states works in the expert workspace; in any other it is
# still an application (the home page sends it to apply:status).
WORKING_EXPERT = (ExpertStatus.APPROVED, ExpertStatus.SUSPENDED)

# Per URL namespace: each navigation item and the URL names of the pages under it. A page whose
# name is not listed here is its own item ("namespace:url_name").
SECTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "brand": {
        "console": ("console", "inquiry", "attachment", "message_retry", "inquiry_review"),
        "reviews": ("reviews", "perception_gap"),
        "queues": ("queues", "queue_create", "queue", "queue_update", "macro_save",
                   "macro_delete", "queue_channels", "queue_channels_update"),
        "shifts": ("shifts", "publish", "slot_update", "slot_cancel"),
        "training": ("training", "training_save", "training_question_add",
                     "training_question_update", "training_question_delete",
                     "certification_revoke"),
        "keys": ("keys", "key_create", "key_revoke", "key_rotate"),
        "members": ("members", "member_invite", "invitation_cancel", "member_role",
                    "member_remove"),
        "billing": ("billing", "billing_usage", "invoice_pdf", "invoice_csv", "dispute_open"),
        "audit_log": ("audit_log",),
        "customer_data": ("customer_data", "customer_export", "customer_erase"),
    },
    "expert": {
        "workspace": ("workspace", "inquiry", "reply", "resolve", "attachment", "offer_accept",
                      "offer_decline", "presence"),
        "marketplace": ("marketplace", "book", "waitlist_join"),
        "my_shifts": ("my_shifts", "check_in", "check_out", "cancel", "release",
                      "waitlist_leave"),
        "certifications": ("certifications", "brand_quiz"),
        "earnings": ("earnings", "dispute_appeal"),
        "payouts": ("payouts", "payout_stripe_connect", "payout_stripe_return", "statement",
                    "statement_csv", "statement_pdf"),
    },
    "ops": {
        "console": ("console", "inquiry", "expert_decide"),
        "vetting": ("vetting", "vetting_detail", "vetting_checklist", "vetting_note",
                    "vetting_decide", "vetting_certification_revoke"),
        "shifts": ("shifts", "publish", "slot_update", "slot_cancel"),
        "quality": ("quality", "alert_acknowledge"),
        "brand_invite": ("brand_invite",),
        "inquiries": ("inquiries",),
        "brands": ("brands",),
        "experts": ("experts",),
        "board": ("board",),
        "lockouts": ("lockouts", "lockout_lift"),
        "pricing": ("pricing", "rate_card_save", "contract_create", "contract",
                    "contract_save"),
        "books": ("trial_balance", "statement"),
        "payouts": ("payouts", "payout_batch_draft", "payout_batch", "payout_batch_progress",
                    "payout_batch_approve", "payout_batch_execute",
                    "payout_batch_mark_bank_paid", "payout_batch_bank_csv",
                    "payout_batch_sepa_xml", "payout", "payout_fail"),
        "invoices": ("invoices", "invoices_run", "bank_statement", "invoice_issue",
                     "invoice_void", "invoice_pdf", "invoice_payment", "vat_rates",
                     "vat_rate_save"),
        "disputes": ("disputes", "dispute_decide", "appeal_decide"),
    },
    "apply": {
        "status": ("status", "profile", "terms", "quiz", "sample", "submit", "verify_resend"),
    },
}
SECTION_OF_PAGE = {
    (namespace, url_name): f"{namespace}:{section}"
    for namespace, sections in SECTIONS.items()
    for section, url_names in sections.items()
    for url_name in url_names
}


@dataclass(frozen=True)
class Navigation:
    # "brand", "expert", "applicant", "ops", or "" (signed out, or no role yet).
    role: str
    # The navigation item of this page, such as "brand:queues"; "" when it has none.
    section: str
    # The expert's pages by URL name (experts.profiles.policy): a suspended expert's
    # navigation offers only their status and their money.
    expert_pages: frozenset[str] = frozenset()
    # The brand policy's answers for the brand pages not every member may open.
    brand_reads_audit_log: bool = False
    brand_handles_customer_data: bool = False
    # Ops staff and brand owners and admins see the Two-factor page in their account menu.
    two_factor_offered: bool = False


def user_navigation(request: HttpRequest) -> Navigation:
    """The navigation of this request, worked out once."""
    cached = getattr(request, "_shiftline_navigation", None)
    if cached is None:
        cached = _navigation(request)
        request._shiftline_navigation = cached  # type: ignore[attr-defined]
    return cached


def _navigation(request: HttpRequest) -> Navigation:
    section = _section(request)
    user = getattr(request, "user", None)
    # A page answered to an API key (the styled 405 of a POST to /api/docs/, say) has a key's
    # client as its user, not a person: no navigation.
    if not isinstance(user, User) or not user.is_authenticated:
        return Navigation(role="", section=section)
    if user.is_staff:
        return Navigation(role=OPS, section=section, two_factor_offered=True)
    expert = expert_profile_for_user(user=user)
    if expert is not None:
        if expert.status in WORKING_EXPERT:
            return Navigation(role=EXPERT, section=section,
                              expert_pages=expert_policy.expert_pages(expert))
        return Navigation(role=APPLICANT, section=section)
    membership = brand_membership_for_user(user=user)
    if membership is not None:
        return Navigation(
            role=BRAND, section=section,
            two_factor_offered=membership.role in OFFERED_BRAND_ROLES,
            brand_reads_audit_log=policy.brand_can_read_audit_log(membership, membership.brand),
            brand_handles_customer_data=policy.brand_can_handle_customer_data(
                membership, membership.brand),
        )
    return Navigation(role="", section=section)


def _section(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.namespace or not match.url_name:
        return ""
    return SECTION_OF_PAGE.get((match.namespace, match.url_name),
                               f"{match.namespace}:{match.url_name}")


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav.role`, `nav.section`, `nav.expert_pages`, the brand pages' flags and
    `nav.two_factor_offered` in every template rendered with a request; nothing is queried
    unless the template reads them."""
    return {"nav": SimpleLazyObject(lambda: user_navigation(request))}
