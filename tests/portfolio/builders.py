"""Portfolio test data: a saved portfolio over the user's activities, through the real service."""

import secrets

from cpd_log.extensions import db
from cpd_log.models import Audience, ExportJob, ImportJob
from cpd_log.portfolio import jobs, services, sharing


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


def make_finished_job(portfolio, kind: str = "pdf", data: bytes = b"%PDF-1.4 test"):
    """A finished background export with its file in place (no thread)."""
    job = ExportJob(
        user_id=portfolio.user_id,
        portfolio_id=portfolio.id,
        kind=kind,
        state="done",
        pages=1,
        total=0,
        file_name=f"{secrets.token_hex(8)}.{kind}",
    )
    db.session.add(job)
    db.session.commit()
    jobs.job_path(job).write_bytes(data)
    return job


def make_import_job(user, state: str = "done"):
    """A finished account import (no thread, no staging folder)."""
    job = ImportJob(user_id=user.id, state=state, folder=secrets.token_hex(16), counts={})
    db.session.add(job)
    db.session.commit()
    return job
