"""Mails of the appraisal cycle: the appraiser hears of a submission, the member of a sign-off
or a return. Composed in the request that causes them, after its commit, and sent in the
background (cpd_log/mail/sending.py). They name the portfolio and the people, and link to the
page; the content itself stays behind the login."""

from cpd_log.extensions import db
from cpd_log.mail.sending import compose, link, send
from cpd_log.models.appraisal import Appraisal, AppraisalState
from cpd_log.models.user import User


def send_submitted(appraisal: Appraisal) -> None:
    """To the appraiser: a (re)submission waits for them."""
    appraiser = db.session.get(User, appraisal.appraiser_id or 0)
    member = db.session.get(User, appraisal.user_id)
    if appraiser is None or member is None:
        return
    url = link("appraisals.review", review_id=appraisal.id)
    send(
        compose(
            "appraisal_submitted",
            appraiser.email,
            user=appraiser,
            appraiser=appraiser,
            member=member,
            appraisal=appraisal,
            url=url,
        )
    )


def send_decided(appraisal: Appraisal) -> None:
    """To the member: signed off, or returned with the appraiser's reason."""
    member = db.session.get(User, appraisal.user_id)
    if member is None:
        return
    reason = next((e.note for e in reversed(appraisal.events) if e.round == appraisal.round), "")
    name = (
        "appraisal_signed_off"
        if appraisal.state is AppraisalState.SIGNED_OFF
        else "appraisal_returned"
    )
    url = link("appraisals.detail", appraisal_id=appraisal.id)
    send(
        compose(
            name,
            member.email,
            user=member,
            member=member,
            appraisal=appraisal,
            reason=reason,
            url=url,
        )
    )
