"""Evidence pages: attach to an activity or a reflection, download, delete. Owner only."""

from flask import Blueprint, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from cpd_log.access import get_owned_or_404
from cpd_log.evidence import services
from cpd_log.evidence.forms import EvidenceForm
from cpd_log.evidence.sniffing import Refused
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Activity, Evidence, Reflection

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.before_request
@login_required
def _require_login():
    """Evidence is private to its owner."""


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A body over MAX_CONTENT_LENGTH: a page that says the limit, not a bare 413."""
    limit = current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024)
    return render_template("evidence/too_large.html", limit=limit), 413


@bp.route("/activity/<int:activity_id>/new", methods=["GET", "POST"])
def attach(activity_id: int):
    return _attach(get_owned_or_404(Activity, activity_id, current_user))


@bp.route("/reflection/<int:reflection_id>/new", methods=["GET", "POST"])
def attach_to_reflection(reflection_id: int):
    return _attach(get_owned_or_404(Reflection, reflection_id, current_user))


def back_url(target) -> str:
    """The page of the activity or reflection that owns (or will own) the evidence."""
    if isinstance(target, Reflection):
        return url_for("reflections.detail", reflection_id=target.id)
    return url_for("activities.detail", activity_id=target.id)


def _attach(target):
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            _save(form, target)
        except Refused as refused:
            db.session.rollback()
            form.file.errors.append(str(refused))
        else:
            db.session.commit()
            flash("Evidence attached.", "success")
            return redirect(back_url(target))
    return render_template("evidence/form.html", form=form, target=target, back=back_url(target))


def _save(form: EvidenceForm, target) -> Evidence:
    if form.url.data:
        return services.attach_url(current_user, target, form.url.data, form.title.data or "")
    upload = form.file.data
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    item = services.Upload(filename=upload.filename or "", data=data)
    return services.attach_file(current_user, target, item, form.title.data or "")


@bp.get("/<int:evidence_id>/download")
def download(evidence_id: int):
    """The stored file as an attachment, never rendered inline (nosniff is set app-wide).
    A file lost from storage answers 410 Gone with a page that names it."""
    evidence = get_owned_or_404(Evidence, evidence_id, current_user)
    if not evidence.is_file:
        return redirect(evidence.url)
    try:
        stored = services.open_file(evidence)
    except services.MissingFile as missing:
        back = back_url(evidence.reflection or evidence.activity)
        return render_template("evidence/missing.html", message=str(missing), back=back), 410
    response = send_file(
        stored,
        mimetype=evidence.mime_type,
        as_attachment=True,
        download_name=evidence.original_name,
        max_age=0,
    )
    response.content_length = evidence.size_bytes
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:evidence_id>/delete", methods=["GET", "POST"])
def delete(evidence_id: int):
    evidence = get_owned_or_404(Evidence, evidence_id, current_user)
    form = EmptyForm()
    back = back_url(evidence.reflection or evidence.activity)
    if form.validate_on_submit():
        services.delete_evidence(evidence)
        db.session.commit()
        flash("Evidence deleted.", "info")
        return redirect(back)
    return render_template(
        "_confirm_delete.html",
        form=form,
        title="Delete evidence",
        name=evidence.label,
        consequences="The file is removed for good.",
        cancel_url=back,
    )
