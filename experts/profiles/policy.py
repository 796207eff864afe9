"""What an expert may open, by where they stand: the one place expert statuses are compared
for access (DESIGN.md, Lifecycles: `applied` → `in_review` → `approved` | `rejected` |
`needs_info`; `approved` ↔ `suspended`).

Pages are named by their URL name ("namespace:name"), the expert's live socket by
`LIVE_SOCKET`. Each status opens the pages of its lists and nothing else, so a page nobody
listed is refused to everyone (a test checks that every expert and apply page is listed).

- An applicant (applied, in review, needs info) opens their application: the status page and
  its steps (the steps themselves say when the application can no longer change).
- A rejected applicant opens only the status page.
- A suspended expert opens the status page and their money, never offers, shifts,
  inquiries, certifications, the workspace or its live socket.
- An approved expert opens all of it.

The web pages ask through `frontend.access` (one decorator on every expert view), the live
socket through `experts.presence.consumers`; services still refuse work to anyone not approved.
"""

from experts.profiles.models import ExpertProfile, ExpertStatus
from marketplace.infra.errors import PermissionDenied

STATUS_PAGE = "apply:status"


APPLICATION_PAGES = frozenset({
    STATUS_PAGE, "apply:verify_resend", "apply:profile", "apply:terms", "apply:quiz",
    "apply:sample", "apply:submit",
})


# The expert's money: earnings, dispute appeals, payout settings and weekly statements.
MONEY_PAGES = frozenset({
    "expert:earnings", "expert:dispute_appeal", "expert:payouts",
    "expert:payout_stripe_connect", "expert:payout_stripe_return", "expert:statement",
    "expert:statement_csv", "expert:statement_pdf",
})


LIVE_SOCKET = "expert:live"


# Offers, shifts, inquiries, certifications, the workspace and its live socket.
WORK_PAGES = frozenset({
    "expert:workspace", "expert:presence", LIVE_SOCKET,
    "expert:offer_accept", "expert:offer_decline",
    "expert:inquiry", "expert:reply", "expert:resolve", "expert:escalate", "expert:attachment",
    "expert:marketplace", "expert:my_shifts", "expert:book", "expert:waitlist_join",
    "expert:waitlist_leave", "expert:cancel", "expert:release", "expert:check_in",
    "expert:check_out",
    "expert:certifications", "expert:brand_quiz",
})


PAGES_BY_STATUS: dict[str, frozenset[str]] = {
    ExpertStatus.APPLIED: APPLICATION_PAGES,
    ExpertStatus.IN_REVIEW: APPLICATION_PAGES,
    ExpertStatus.NEEDS_INFO: APPLICATION_PAGES,
    ExpertStatus.REJECTED: frozenset({STATUS_PAGE}),
    ExpertStatus.SUSPENDED: frozenset({STATUS_PAGE}) | MONEY_PAGES,
    ExpertStatus.APPROVED: APPLICATION_PAGES | MONEY_PAGES | WORK_PAGES,
}


def expert_pages(expert: ExpertProfile) -> frozenset[str]:
    """Every page (and the socket) the expert's status opens."""
    return PAGES_BY_STATUS.get(expert.status, frozenset())


def expert_may_open(expert: ExpertProfile, page: str) -> bool:
    return page in expert_pages(expert)


def expert_home(expert: ExpertProfile) -> str:
    """Where the expert lands after logging in: the workspace, or else their status page."""
    return "expert:workspace" if expert_may_open(expert, "expert:workspace") else STATUS_PAGE


def _refusal(expert: ExpertProfile) -> str:
    if expert.status == ExpertStatus.SUSPENDED:
        return ("Your account is suspended: your status and your earnings stay open to you, "
                "but not offers, shifts or inquiries.")
    if expert.status == ExpertStatus.REJECTED:
        return "Your application was not accepted: only your application status is open to you."
    if expert.status == ExpertStatus.APPROVED:
        return "This page is not open to experts."
    return (f"Your application is {expert.get_status_display().lower()}: the expert workspace "
            "opens once ops approve you.")


def require_expert_may_open(expert: ExpertProfile, page: str) -> None:
    """Raises the domain `PermissionDenied`, with a sentence saying what stays open, when the
    expert's status does not open `page`."""
    if not expert_may_open(expert, page):
        raise PermissionDenied(_refusal(expert), code="expert_status")
