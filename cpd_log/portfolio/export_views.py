"""Account-wide exports: every activity as CSV; the whole account as JSON, and its import."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from cpd_log.access import owned
from cpd_log.extensions import db
from cpd_log.models import Activity, Competency
from cpd_log.portfolio import account_import, exports, transfer
from cpd_log.portfolio.forms import ImportForm

bp = Blueprint("exports", __name__, url_prefix="/export")


@bp.before_request
@login_required
def _require_login():
    """Exports are the owner's own data."""


@bp.get("/")
def index():
    return render_template("portfolio/exports.html", form=ImportForm())


@bp.get("/activities.csv")
def activities_csv():
    activities = db.session.scalars(
        owned(Activity, current_user)
        .options(selectinload(Activity.competencies).selectinload(Competency.parent))
        .order_by(Activity.start_date, Activity.id)
    )
    return Response(
        exports.activities_csv(activities),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; filename=activities.csv",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/account.json")
def account_json():
    """Everything in the account, evidence files included, to import on another instance."""
    document = json.dumps(transfer.export_account(current_user), ensure_ascii=False, indent=1)
    return Response(
        document.encode("utf-8"),
        mimetype="application/json",
        headers={
            "Content-Disposition": "attachment; filename=cpd-log-account.json",
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/import")
def import_account():
    """One transaction: a bad file changes nothing and says what is wrong."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            document = json.loads(form.file.data.read().decode("utf-8-sig"))
            counts = account_import.import_account(current_user, document)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            db.session.rollback()
            form.file.errors.append("The file is not valid JSON.")
        except transfer.BadFile as problem:
            db.session.rollback()
            form.file.errors.append(f"Nothing was imported. {problem}")
        else:
            db.session.commit()
            flash(_imported(counts), "success")
            return redirect(url_for("exports.index"))
    return render_template("portfolio/exports.html", form=form), 400


def _imported(counts: dict) -> str:
    if not any(counts.values()):
        return "Nothing new to import: everything in the file is already in your account."
    return "Imported " + ", ".join(f"{n} {what}" for what, n in counts.items()) + "."
