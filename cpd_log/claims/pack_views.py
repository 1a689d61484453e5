"""Audit pack downloads of a cycle: PDF, CSV and ZIP, for the cycle's owner only (404 otherwise),
sent as attachments no cache keeps."""

import tempfile

from flask import Blueprint, send_file
from flask_login import current_user, login_required

from cpd_log.claims import pack_files, packs
from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.schemes import services as scheme_services

bp = Blueprint("claim_packs", __name__, url_prefix="/claims")
MIMETYPES = {"pdf": "application/pdf", "csv": "text/csv", "zip": "application/zip"}


@bp.before_request
@login_required
def _require_login():
    """Every pack is for a logged-in owner."""


def _pack(cycle_id: int) -> packs.Pack:
    """The pack of the user's cycle; 404 when the cycle is not theirs."""
    today = today_for(current_user)
    cycle, changed = scheme_services.owned_cycle(current_user, cycle_id, today)
    if changed:
        db.session.commit()  # store the newer scheme version before the pack reads the cycle
    return packs.gather(current_user, cycle, today)


def _send(write, cycle_id: int, extension: str):
    """Written into a temporary file (a large pack goes to disk, not memory), then streamed."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it when the response ends
    write(output)
    output.seek(0)
    response = send_file(
        output,
        mimetype=MIMETYPES[extension],
        as_attachment=True,
        download_name=f"audit-pack-cycle-{cycle_id}.{extension}",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cycles/<int:cycle_id>/pack.pdf")
def pdf(cycle_id: int):
    from cpd_log.claims import pack_pdf  # ReportLab loads on first use, not at start-up

    pack = _pack(cycle_id)
    return _send(lambda out: pack_pdf.render(pack, out), cycle_id, "pdf")


@bp.get("/cycles/<int:cycle_id>/pack.csv")
def csv(cycle_id: int):
    pack = _pack(cycle_id)
    return _send(lambda out: out.write(pack_files.pack_csv(pack)), cycle_id, "csv")


@bp.get("/cycles/<int:cycle_id>/pack.zip")
def zip(cycle_id: int):  # noqa: A001 - the endpoint's name is the format's
    pack = _pack(cycle_id)
    return _send(lambda out: pack_files.write_zip(pack, out), cycle_id, "zip")
