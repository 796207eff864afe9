"""Sign-up pages answer alike whether or not an account exists (nobody learns who has one by
trying emails): the existing account's holder is told by email instead."""

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse


def existing_account_notice_on_commit(*, email: str, site_url: str, attempted: str) -> None:
    """Tells the holder of `email` that someone tried to sign up with it (`attempted`: "sign
    up a brand", "apply as an expert"), with links to log in and to reset the password. Sent
    once the surrounding transaction commits."""
    login_link = site_url + reverse("login")
    reset_link = site_url + reverse("password_reset")
    body = (
        f"Someone, perhaps you, tried to {attempted} on Shiftline with this email address. "
        f"You already have an account, so nothing new was created.\n\n"
        f"Log in here:\n\n{login_link}\n\n"
        f"Forgot your password? Choose a new one here:\n\n{reset_link}\n\n"
        f"If this was not you, you can ignore this email; your account is unchanged."
    )
    transaction.on_commit(lambda: send_mail(
        "You already have a Shiftline account", body, None, [email], fail_silently=False))
