"""The competency picker's hints as JSON, fetched by static/picker.js while a title is typed."""

from flask import jsonify, request
from flask_login import current_user

from cpd_log.competencies.blueprint import bp
from cpd_log.competencies.picker import picker_hints

TITLE_MAX = 300  # longer than any title field; the rest of a longer query is ignored


@bp.get("/picker-hints")
def picker_hints_json():
    """The user's recent competencies and those their past titles suggest for ?title=."""
    response = jsonify(picker_hints(current_user, request.args.get("title", "")[:TITLE_MAX]))
    response.headers["Cache-Control"] = "private, no-store"
    return response
