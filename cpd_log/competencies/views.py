"""Framework pages: the list, one framework's tree, import, export, and editing one's own."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

import cpd_log.competencies.views_coverage  # noqa: F401 - its route registers on bp too
import cpd_log.competencies.views_development  # noqa: F401 - its routes register on bp too
import cpd_log.competencies.views_picker  # noqa: F401 - its route registers on bp too
from cpd_log.competencies import formats, frameworks
from cpd_log.competencies.blueprint import bp
from cpd_log.competencies.forms import FrameworkForm, ImportForm, competency_form
from cpd_log.competencies.importers import MAX_BYTES, FrameworkFileError
from cpd_log.competencies.services import (
    get_own_framework_or_404,
    get_visible_framework_or_404,
    may_edit,
    visible_frameworks,
)
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Framework

# Room for a file well over the import limit, so it gets a message at the field, not a 413 page.
IMPORT_REQUEST_LIMIT = 4 * MAX_BYTES + 1024 * 1024


def read_upload(form) -> bytes:
    """The import form's file, up to one byte past the limit (the parser says it is too big)."""
    with form.file.data.stream as upload:  # a large upload is a temp file: close it now
        return upload.read(MAX_BYTES + 1)


@bp.get("/")
def index():
    """Global frameworks, the user's own and those of the user's teams."""
    rows = db.session.scalars(
        visible_frameworks(current_user)
        .options(selectinload(Framework.team))
        .order_by(Framework.name)
    )
    return render_template("competencies/index.html", frameworks=list(rows))


@bp.get("/frameworks/<int:framework_id>")
def framework(framework_id: int):
    fw = get_visible_framework_or_404(
        framework_id, current_user, selectinload(Framework.competencies)
    )
    return render_template(
        "competencies/framework.html", framework=fw, tree=formats.framework_dict(fw),
        codes={c.code: c for c in fw.competencies}, formats=formats.EXTENSIONS,
        editable=may_edit(fw, current_user),
    )  # fmt: skip


@bp.get("/frameworks/<int:framework_id>/export")
def export(framework_id: int):
    """Download as ?format=case|matrix|csv (CASE by default)."""
    fw = get_visible_framework_or_404(
        framework_id, current_user, selectinload(Framework.competencies)
    )
    fmt = request.args.get("format", "case")
    fmt = fmt if fmt in formats.EXTENSIONS else "case"
    body = formats.export(fmt, formats.framework_dict(fw))
    name = f"{fw.slug}-{fw.version}.{formats.EXTENSIONS[fmt]}"
    return Response(
        body,
        mimetype=formats.MIMETYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/frameworks/import", methods=["GET", "POST"])
def import_framework():
    """One transaction: a file with any error imports nothing and says where the error is."""
    request.max_content_length = IMPORT_REQUEST_LIMIT
    form = ImportForm()
    if form.validate_on_submit():
        try:
            data = formats.parse(form.format.data, read_upload(form), {})
            fw = frameworks.import_framework(current_user, {**data, **form.overrides()})
        except FrameworkFileError as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            notes = " ".join(data.get("notes", []))
            flash(
                f"Imported “{fw.name}” with {len(fw.competencies)} entries. {notes}".strip(),
                "success",
            )
            return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template("competencies/import.html", form=form)


@bp.post("/frameworks/<int:framework_id>/copy")
def copy_framework(framework_id: int):
    """Your own editable copy of a framework, e.g. to tailor a shipped one to your organisation."""
    fw = get_visible_framework_or_404(
        framework_id, current_user, selectinload(Framework.competencies)
    )
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("competencies.framework", framework_id=fw.id))
    data = formats.framework_dict(fw)
    copy = frameworks.import_framework(current_user, {**data, "name": f"{fw.name} (copy)"[:200]})
    db.session.commit()
    flash(f"Copied “{fw.name}”: this copy is yours to edit.", "success")
    return redirect(url_for("competencies.framework", framework_id=copy.id))


@bp.route("/frameworks/new", methods=["GET", "POST"])
def create_framework():
    form = FrameworkForm()
    if form.validate_on_submit():
        fw = frameworks.create_framework(current_user, form.framework_data())
        db.session.commit()
        flash(f"Created “{fw.name}”. Add its areas and competencies.", "success")
        return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template("competencies/framework_form.html", form=form, framework=None)


@bp.route("/frameworks/<int:framework_id>/edit", methods=["GET", "POST"])
def edit_framework(framework_id: int):
    fw = get_own_framework_or_404(framework_id, current_user)
    form = FrameworkForm(obj=fw)
    if request.method == "GET":
        form.levels.data = "\n".join(f"{lv['value']} {lv['name']}" for lv in fw.levels or [])
    if form.validate_on_submit():
        frameworks.update_framework(fw, form.framework_data())
        db.session.commit()
        flash("Framework saved.", "success")
        return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template("competencies/framework_form.html", form=form, framework=fw)


@bp.route("/frameworks/<int:framework_id>/delete", methods=["GET", "POST"])
def delete_framework(framework_id: int):
    """Say what uses the framework first; the confirmed POST deletes it with those links."""
    fw = get_own_framework_or_404(framework_id, current_user)
    form = EmptyForm()
    if form.validate_on_submit():
        frameworks.delete_framework(fw)
        db.session.commit()
        flash(f"Deleted “{fw.name}”.", "info")
        return redirect(url_for("competencies.index"))
    used = frameworks.framework_usage(fw, current_user)
    return render_template("competencies/delete.html", thing=fw, used=used, form=form)


@bp.route("/frameworks/<int:framework_id>/competencies/new", methods=["GET", "POST"])
def add_competency(framework_id: int):
    fw = get_own_framework_or_404(framework_id, current_user, selectinload(Framework.competencies))
    form = competency_form(fw, data={"parent": request.args.get("parent", "")})
    if form.validate_on_submit():
        try:
            frameworks.save_competency(fw, form.competency_data())
        except frameworks.CodeTaken as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Added {form.code.data}.", "success")
            return redirect(url_for("competencies.framework", framework_id=fw.id))
    return render_template(
        "competencies/competency_form.html", form=form, framework=fw, competency=None
    )
