"""Portfolio test data: a saved portfolio over the user's activities, through the real service."""

import secrets
from datetime import UTC, datetime

from cpd_log.documents import job_files, jobs
from cpd_log.extensions import db
from cpd_log.models import Audience, ExportJob, ImportJob
from cpd_log.portfolio import services
from cpd_log.sharing import services as sharing


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


def make_finished_job(portfolio, kind: str = "pdf", data: bytes = b"%PDF-1.4 test", **fields):
    """A finished background export of the portfolio's present content, with its file in place
    (no thread). `fields` override the row's columns (share_link_id, created_at, expires_at…)."""
    now = datetime.now(UTC)
    values = {
        "user_id": portfolio.user_id,
        "portfolio_id": portfolio.id,
        "kind": kind,
        "state": "done",
        "pages": 1,
        "total": 0,
        "file_name": f"{secrets.token_hex(8)}.{kind}",
        "fingerprint": jobs.fingerprint(portfolio.id),
        "created_at": now,
        "expires_at": now + jobs.KEEP,
        **fields,
    }
    job = ExportJob(**values)
    db.session.add(job)
    db.session.commit()
    job_files.job_path(job).write_bytes(data)
    return job


def make_import_job(user, state: str = "done"):
    """A finished account import (no thread, no staging folder)."""
    job = ImportJob(user_id=user.id, state=state, folder=secrets.token_hex(16), counts={})
    db.session.add(job)
    db.session.commit()
    return job
