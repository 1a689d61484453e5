"""Account-wide exports: every activity as CSV; the account backup (a ZIP archive) and its import.

The backup asks for the password again (a stolen session alone cannot take the whole account);
the import streams the upload to disk and runs as a background job (import_jobs.py).
"""

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import validate_csrf
from sqlalchemy.orm import selectinload
from wtforms.validators import ValidationError

from cpd_log.access import get_owned_or_404, owned
from cpd_log.account import account_archive, account_export, activity_csv, import_jobs
from cpd_log.account.forms import BackupForm, ImportForm
from cpd_log.account.upload_stream import UploadRefused
from cpd_log.extensions import csrf, db
from cpd_log.models import Activity, Competency, ImportJob
from cpd_log.security_log import record_event

bp = Blueprint("account", __name__, url_prefix="/export")


@bp.before_request
@login_required
def _require_login():
    """Exports are the owner's own data."""


def _page(backup=None, upload=None, status: int = 200):
    # formdata=None: a form built on the import's POST must not parse its (large) body.
    forms = {
        "form": upload or ImportForm(formdata=None),
        "backup_form": backup or BackupForm(formdata=None),
    }
    return render_template("account/exports.html", **forms), status


@bp.get("/")
def index():
    return _page()


@bp.get("/activities.csv")
def activities_csv():
    activities = db.session.scalars(
        owned(Activity, current_user)
        .options(selectinload(Activity.competencies).selectinload(Competency.parent))
        .order_by(Activity.start_date, Activity.id)
    )
    record_event("export.activities", user_id=current_user.id)
    return Response(
        activity_csv.activities_csv(activities),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; filename=activities.csv",
            "Cache-Control": "private, no-store",
        },
    )


@bp.post("/account")
def account_backup():
    """The whole account as a ZIP archive, streamed; the password first."""
    form = BackupForm()
    if not form.validate_on_submit():
        return _page(backup=form, status=400)
    if not current_user.check_password(form.password.data):
        record_event("reauth.failed", user_id=current_user.id)
        form.password.errors.append("That is not your password.")
        return _page(backup=form, status=400)
    record_event("export.account", user_id=current_user.id)
    document = account_export.export_account(current_user)
    name = f"cpd-log-backup-{datetime.now(UTC):%Y-%m-%d}.zip"
    return Response(
        account_archive.stream(current_user.id, document),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f"attachment; filename={name}",
            "Cache-Control": "private, no-store",
        },
    )


@csrf.exempt  # the token is checked in the stream, before the file (Flask would parse the body)
@bp.post("/import")
def import_account():
    """Stream the upload to disk and start the import job; a refusal is said at the field."""
    limit = import_jobs.upload_limit(current_user)
    request.max_content_length = limit + import_jobs.FORM_OVERHEAD  # this route's own limit
    try:
        import_jobs.refuse_if_running(current_user)
        folder = import_jobs.accept_upload(
            lambda: request.stream,
            (request.content_type, request.content_length),
            limit,
            _check_token,
        )
    except UploadRefused as problem:
        form = ImportForm(formdata=None)
        form.file.errors = [str(problem)]
        return _page(upload=form, status=400)
    job = import_jobs.start(current_user, folder)
    return redirect(url_for("account.import_job", import_job_id=job.id))


def _check_token(fields: dict) -> None:
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        validate_csrf(fields.get("csrf_token"))
    except ValidationError:
        message = "The form has expired. Reload the page and choose the file again."
        raise UploadRefused(message) from None


@bp.get("/imports/<int:import_job_id>")
def import_job(import_job_id: int):
    job = import_jobs.fail_if_worker_lost(get_owned_or_404(ImportJob, import_job_id, current_user))
    status_url = url_for("account.import_status", import_job_id=job.id)
    return render_template("account/import_job.html", job=job, status_url=status_url)


@bp.get("/imports/<int:import_job_id>/status")
def import_status(import_job_id: int):
    job = import_jobs.fail_if_worker_lost(get_owned_or_404(ImportJob, import_job_id, current_user))
    response = jsonify(import_jobs.status(job))
    response.headers["Cache-Control"] = "private, no-store"
    return response
