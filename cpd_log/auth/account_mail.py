"""The mails about an account, composed in the request that causes them and sent after its
commit (cpd_log/mail/sending.py). Each names the account's display name and nothing secret
beyond its own link."""

from flask import current_app

from cpd_log.auth import recovery
from cpd_log.extensions import db
from cpd_log.mail.sending import compose, in_background, link, send
from cpd_log.models.user import User


def mail_reset_link(email: str, allowed: bool) -> None:
    """After a "forgot password" request: everything that depends on whether the address has an
    account — the lookup, the token, the mail — happens in the background, so the answer costs
    the same either way and its timing tells nothing."""
    in_background(lambda: _reset_link(email) if allowed else None, "a password reset link")


def _reset_link(email: str) -> None:
    found = recovery.request_reset(email)
    if found is None:
        return
    db.session.commit()
    user, token = found
    url = link("recovery.reset", token=token)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    compose("reset_password", user.email, user=user, url=url, minutes=minutes).send()


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


def send_two_factor_changed(user: User, turned_on: bool) -> None:
    """Two-factor was turned on or off: if it was not the owner, they hear of it."""
    url = link("recovery.forgot")
    name = "two_factor_on" if turned_on else "two_factor_off"
    send(compose(name, user.email, user=user, forgot_url=url))
