"""Mapping pages: set a pair's mapping (in the user's own crosswalk, or as the user's override of
a shipped one), remove one of the user's mappings, and drop an override."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cpd_log.access import get_editable_or_404, get_owned_or_404, get_visible_or_404
from cpd_log.crosswalks import editing, formats
from cpd_log.crosswalks.blueprint import bp
from cpd_log.crosswalks.forms import mapping_form
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Crosswalk, CrosswalkMapping, CrosswalkOverride

SAVED_ELSEWHERE = (
    "This pair was saved from another tab or window at the same moment, so this save was not "
    "made. Check the crosswalk's page, then save again if you still want this."
)


def _back(crosswalk_id: int):
    return redirect(url_for("crosswalks.crosswalk", crosswalk_id=crosswalk_id))


@bp.route("/<int:crosswalk_id>/mappings", methods=["GET", "POST"])
def set_mapping(crosswalk_id: int):
    """?from=&to= choose the pair to change. On the user's crosswalk the pair's mapping is added or
    changed; on a shipped one the user's override is, which counts for this user only."""
    row = get_visible_or_404(Crosswalk, crosswalk_id, current_user)
    shipped = row.owner_id is None
    current = editing.current_mapping(current_user, row, request.args)
    form = mapping_form(formats.end_names(current_user, row), shipped, data=current)
    if form.validate_on_submit():
        save = editing.set_override if shipped else editing.save_mapping  # "none": shipped only
        try:
            save(current_user, row, form.mapping_data())
            db.session.commit()
        except editing.MappingError as error:
            form.from_code.errors.append(str(error))
        except IntegrityError:  # another tab saved the same pair first: one row in force per pair
            db.session.rollback()
            form.relation.errors.append(SAVED_ELSEWHERE)
        else:
            flash("Saved: counting now uses it." if not shipped else "Your override is saved.")
            return _back(row.id)
    return render_template("crosswalks/mapping_form.html", form=form, crosswalk=row)


@bp.post("/mappings/<int:mapping_id>/delete")
def delete_mapping(mapping_id: int):
    """Remove a mapping of the user's own crosswalk (a shipped one's: override it instead)."""
    mapping = db.session.get(CrosswalkMapping, mapping_id)
    if mapping is None or mapping.valid_to is not None:  # history is not edited
        abort(404)
    row = get_editable_or_404(Crosswalk, mapping.crosswalk_id, current_user)
    if EmptyForm().validate_on_submit():
        editing.delete_mapping(mapping)
        db.session.commit()
        flash(f"Removed {mapping.from_code} → {mapping.to_code}.", "info")
    return _back(row.id)


@bp.post("/overrides/<int:override_id>/delete")
def delete_override(override_id: int):
    """Back to the shipped mapping of the pair (or none)."""
    override = get_owned_or_404(CrosswalkOverride, override_id, current_user)
    if override.valid_to is not None:  # history is not edited
        abort(404)
    row = editing.newest_version(override.crosswalk_slug)
    if EmptyForm().validate_on_submit():
        editing.delete_override(override)
        db.session.commit()
        flash(f"Your override of {override.from_code} → {override.to_code} is gone.", "info")
    return _back(row.id) if row else redirect(url_for("crosswalks.index"))
