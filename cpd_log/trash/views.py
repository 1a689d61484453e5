"""Trash pages: the list, restore, delete forever, and Undo of the latest delete."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cpd_log.access import get_owned_or_404
from cpd_log.account.transfer import BadFile
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import TrashItem
from cpd_log.trash import services

bp = Blueprint("trash", __name__, url_prefix="/trash")


@bp.before_request
@login_required
def _require_login():
    """The trash is for its logged-in owner."""


@bp.get("/")
def index():
    return render_template(
        "trash/index.html",
        items=services.items(current_user),
        form=EmptyForm(),
        days=services.TRASH_DAYS,
    )


@bp.post("/undo")
def undo():
    """Restore the batch of the delete whose message carried the button; refused after
    UNDO_SECONDS (the items stay in the trash)."""
    form = EmptyForm()
    batch = request.form.get("batch", "")[:32]
    if not form.validate_on_submit():
        flash("The form expired; restore from the Trash instead.", "warning")
        return redirect(url_for("trash.index"))
    return _restored(lambda: services.undo(current_user, batch))


@bp.post("/<int:trash_item_id>/restore")
def restore(trash_item_id: int):
    item = get_owned_or_404(TrashItem, trash_item_id, current_user)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("trash.index"))
    return _restored(lambda: services.restore_item(current_user, item))


@bp.route("/<int:trash_item_id>/delete", methods=["GET", "POST"])
def delete(trash_item_id: int):
    """Ask first (GET), delete for good on the confirmed POST."""
    item = get_owned_or_404(TrashItem, trash_item_id, current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        title = item.title
        services.delete_forever(current_user, [item])
        db.session.commit()
        flash(f"Deleted “{title}” for good.", "info")
        return redirect(url_for("trash.index"))
    return render_template(
        "_confirm_delete.html",
        form=form,
        title="Delete for good",
        name=item.title,
        consequences="It leaves the trash and cannot be restored; its evidence files go too.",
        button="Delete for good",
        cancel_url=url_for("trash.index"),
    )


def _restored(restore_now):
    """Run a restore, commit, and say what came back (or why nothing did)."""
    try:
        result = restore_now()
    except BadFile as problem:
        db.session.rollback()
        flash(f"Nothing was restored: {problem}", "danger")
        return redirect(url_for("trash.index"))
    if result is None:
        flash(
            f"Undo is possible for {services.UNDO_SECONDS} seconds after a delete. "
            "Restore it from the Trash instead.",
            "warning",
        )
        return redirect(url_for("trash.index"))
    db.session.commit()
    flash(result.message(), "success")
    return redirect(url_for("activities.index" if result.activities else "reflections.index"))
