"""Crosswalk pages: the list, one crosswalk with the user's overrides, creating, editing,
deleting, import and export. Mappings and overrides are in views_mappings.py."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

import cpd_log.crosswalks.views_mappings  # noqa: F401 - its routes register on bp too
from cpd_log.access import get_editable_or_404, get_visible_or_404
from cpd_log.crosswalks import editing, formats
from cpd_log.crosswalks.blueprint import bp
from cpd_log.crosswalks.checking import CrosswalkError
from cpd_log.crosswalks.forms import RELATION_LABELS, ImportForm, crosswalk_form
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Crosswalk

WITH_MAPPINGS = selectinload(Crosswalk.mappings)


@bp.get("/")
def index():
    """The shipped crosswalks (newest versions) and the user's own."""
    return render_template("crosswalks/index.html", crosswalks=editing.newest_shipped(current_user))


@bp.get("/<int:crosswalk_id>")
def crosswalk(crosswalk_id: int):
    """Its mappings with the names of both ends; on a shipped one, the user's overrides."""
    row = get_visible_or_404(Crosswalk, crosswalk_id, current_user, WITH_MAPPINGS)
    slugs = {row.from_framework, row.to_framework}
    names = formats.frameworks(current_user, slugs, shipped=row.owner_id is None)
    overrides = {} if row.owner_id else editing.user_overrides(current_user, row.slug)
    return render_template(
        "crosswalks/crosswalk.html", crosswalk=row, overrides=overrides, form=EmptyForm(),
        names={slug: f["names"] for slug, f in names.items()}, relations=RELATION_LABELS,
        formats=formats.FORMATS,
    )  # fmt: skip


@bp.get("/<int:crosswalk_id>/export")
def export(crosswalk_id: int):
    """Download as ?format=csv|case (CSV by default)."""
    row = get_visible_or_404(Crosswalk, crosswalk_id, current_user, WITH_MAPPINGS)
    fmt = request.args.get("format", "csv")
    fmt = fmt if fmt in formats.FORMATS else "csv"
    name = f"{row.slug}-{row.version}.{formats.EXTENSIONS[fmt]}"
    return Response(
        formats.export(fmt, row, current_user),
        mimetype=formats.MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/new", methods=["GET", "POST"])
def create():
    own, every = editing.framework_choices(current_user)
    form = crosswalk_form(own, every)
    if form.validate_on_submit():
        row = editing.create_crosswalk(current_user, form.crosswalk_data())
        db.session.commit()
        flash(f"Created “{row.name}”. Add its mappings.", "success")
        return redirect(url_for("crosswalks.crosswalk", crosswalk_id=row.id))
    return render_template("crosswalks/crosswalk_form.html", form=form, crosswalk=None, own=own)


@bp.route("/<int:crosswalk_id>/edit", methods=["GET", "POST"])
def edit(crosswalk_id: int):
    """Name, description, source and licence; the frameworks stay (the codes belong to them)."""
    row = get_editable_or_404(Crosswalk, crosswalk_id, current_user)
    own, every = editing.framework_choices(current_user)
    form = crosswalk_form(own, every, obj=row)
    form.from_framework.choices = [(row.from_framework, row.from_framework)]
    form.to_framework.choices = [(row.to_framework, row.to_framework)]
    form.from_framework.data, form.to_framework.data = row.from_framework, row.to_framework
    if form.validate_on_submit():
        editing.update_crosswalk(row, form.crosswalk_data())
        db.session.commit()
        flash("Crosswalk saved.", "success")
        return redirect(url_for("crosswalks.crosswalk", crosswalk_id=row.id))
    return render_template("crosswalks/crosswalk_form.html", form=form, crosswalk=row, own=own)


@bp.route("/<int:crosswalk_id>/delete", methods=["GET", "POST"])
def delete(crosswalk_id: int):
    row = get_editable_or_404(Crosswalk, crosswalk_id, current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        editing.delete_crosswalk(row)
        db.session.commit()
        flash(f"Deleted “{row.name}”.", "info")
        return redirect(url_for("crosswalks.index"))
    return render_template("crosswalks/delete.html", crosswalk=row, form=form)


@bp.route("/import", methods=["GET", "POST"])
def import_crosswalk():
    """One transaction: a file with any error imports nothing and lists each problem."""
    request.max_content_length = 4 * formats.READ_LIMIT  # so a large file gets a message
    form = ImportForm()
    if form.validate_on_submit():
        with form.file.data.stream as upload:
            raw = upload.read(formats.READ_LIMIT + 1)
        try:
            data = formats.parse(form.format.data, raw, form.meta_data(), current_user)
            row = editing.import_crosswalk(current_user, data)
        except CrosswalkError as error:
            db.session.rollback()
            form.file.errors.extend(error.problems)
        else:
            db.session.commit()
            flash(f"Imported “{row.name}” with {len(row.mappings)} mappings.", "success")
            return redirect(url_for("crosswalks.crosswalk", crosswalk_id=row.id))
    return render_template("crosswalks/import.html", form=form)
