"""xAPI pages: statements from a file or an LRS become a batch previewed like a calendar's."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from cpd_log.common.dates import zone_for
from cpd_log.extensions import db
from cpd_log.imports import services, xapi, xapi_lrs, xapi_services
from cpd_log.imports.forms import read_upload
from cpd_log.imports.xapi_forms import LrsPullForm, XapiUploadForm

bp = Blueprint("xapi", __name__, url_prefix="/imports/xapi")
LRS = "lrs"  # prefix: both forms on one page have an "hours" field


@bp.before_request
@login_required
def _require_login():
    """Every xAPI page is for a logged-in owner."""


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """A huge upload is refused before it is read; say so on the page, create nothing."""
    flash("That file is too large to import. Export a shorter period.", "danger")
    return _page(), 413


def _page(**forms):
    forms = {
        "upload_form": XapiUploadForm(formdata=None),
        "lrs_form": LrsPullForm(formdata=None, prefix=LRS),
        **forms,
    }
    return render_template("imports/xapi.html", **forms)


@bp.get("/")
def index():
    return _page()


@bp.post("/file")
def upload():
    """Read the statements into a stored batch, then preview them (calendar preview)."""
    form = XapiUploadForm()
    if form.validate_on_submit():
        try:
            statements = xapi.statements_of(read_upload(form.statements))
        except ValueError as error:
            form.statements.errors.append(str(error))
        else:
            return _stage(statements, form.minutes, form.statements.data.filename)
    return _page(upload_form=form)


@bp.post("/lrs")
def pull():
    """Fetch the statements since a day from an LRS; the key and secret are not kept."""
    form = LrsPullForm(prefix=LRS)
    if form.validate_on_submit():
        config = current_app.config
        try:
            statements = xapi_lrs.pull_statements(
                form.endpoint.data.strip(),
                form.key.data,
                form.secret.data,
                form.since.data,
                timeout=config["XAPI_LRS_TIMEOUT"],
                allow_private=config["XAPI_ALLOW_PRIVATE_LRS"],
            )
        except ValueError as error:
            form.endpoint.errors.append(str(error))
        else:
            return _stage(statements, form.minutes, xapi_lrs.shown_name(form.endpoint.data))
    return _page(lrs_form=form)


def _stage(statements: list, default_minutes: int, name: str):
    events, skipped = xapi.read_statements(statements, zone_for(current_user), default_minutes)
    payload = {
        "events": events,
        "skipped": skipped,
        "default_minutes": default_minutes,
        "voided": sorted(xapi.voided_ids(statements)),
    }
    batch = services.store_batch(current_user, "xapi", name, payload)
    batch_id = batch.id  # read before commit expires the row
    db.session.commit()
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.app_template_global()
def xapi_voided_in_log(batch):
    """The activities this batch's voiding statements withdraw, for its preview."""
    return xapi_services.voided_in_log(current_user, batch.payload.get("voided", []))
