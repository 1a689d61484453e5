"""Portfolio test data: a saved portfolio over the user's activities, through the real service."""

from cpd_log.extensions import db
from cpd_log.models import Audience
from cpd_log.portfolio import services, sharing


def make_portfolio(user, title: str = "Appraisal 2026", **fields):
    data = {
        "title": title,
        "audience": Audience.APPRAISAL,
        "date_from": None,
        "date_to": None,
        "competency_ids": [],
        "include_evidence": True,
        **fields,
    }
    portfolio = services.create_portfolio(user, data)
    db.session.commit()
    return portfolio


def make_link(portfolio, days: int = 30, now=None):
    """(link, token) for `portfolio`, committed."""
    link, token = sharing.create_link(portfolio, days, now=now)
    db.session.commit()
    return link, token
