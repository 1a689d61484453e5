"""The mails about an account, composed in the request that causes them and sent after its
commit (cpd_log/mail/sending.py). Each names the account's display name and nothing secret
beyond its own link."""

from flask import current_app

from cpd_log.mail.sending import compose, link, send
from cpd_log.models.user import User


def send_reset_link(user: User, token: str) -> None:
    url = link("recovery.reset", token=token)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    send(compose("reset_password", user.email, user=user, url=url, minutes=minutes))


def send_password_changed(user: User) -> None:
    url = link("recovery.forgot")
    send(compose("password_changed", user.email, user=user, forgot_url=url))


def send_confirmation_link(user: User, token: str) -> None:
    url = link("email.verify", token=token)
    hours = current_app.config["EMAIL_VERIFY_HOURS"]
    send(compose("verify_email", user.email, user=user, url=url, hours=hours))


def send_email_changed(user: User, old_email: str) -> None:
    """To the address the account had: if someone else moved it, its owner hears of it."""
    url = link("recovery.forgot")
    send(compose("email_changed", old_email, user=user, forgot_url=url))
