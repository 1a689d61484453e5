"""Import pages: upload a calendar, spreadsheet or badge; preview; choose; commit once."""

from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from cpd_log.access import get_owned_or_404
from cpd_log.activities.forms import competency_choices
from cpd_log.common.dates import today_for, zone_for
from cpd_log.competencies.services import competency_options
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.imports import (
    badges,
    batch_jobs,
    credentials,
    did_keys,
    safe_fetch,
    services,
    sheets,
    staging,
    xapi_services,
)
from cpd_log.imports.bulk import gc_paused
from cpd_log.imports.columns import suggest_mapping
from cpd_log.imports.forms import (
    BadgeUploadForm,
    CalendarChoiceForm,
    CalendarUploadForm,
    MappingForm,
    SheetUploadForm,
    calendar_choice_form,
    read_upload,
)
from cpd_log.imports.rows import Defaults, date_columns
from cpd_log.models import ActivityKind, Delivery, ImportBatch
from cpd_log.models.activity import ActivitySource

bp = Blueprint("imports", __name__, url_prefix="/imports")
DEFAULTS = Defaults(ActivityKind.OTHER, Delivery.ONLINE)  # as MappingForm's defaults


@bp.before_request
@login_required
def _require_login():
    """Every import page is for a logged-in owner."""


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    """A huge upload is refused before it is read; say so on the upload page, create nothing."""
    flash("That file is too large to import. Split it into smaller files.", "danger")
    return _index(), 413


def _index(**forms):
    forms = {
        "calendar_form": CalendarUploadForm(formdata=None),
        "sheet_form": SheetUploadForm(formdata=None),
        "badge_form": BadgeUploadForm(formdata=None),
        **forms,
    }
    return render_template("imports/index.html", **forms)


@bp.get("/")
def index():
    return _index()


@bp.post("/calendar")
def upload_calendar():
    """Parse the .ics into a stored batch, then show its events to choose from; a calendar of
    more than IMPORT_BACKGROUND_AT events is read by a worker (batch_jobs.py) meanwhile."""
    from cpd_log.imports import ics  # icalendar loads with the first calendar, not at start-up

    form = CalendarUploadForm()
    if form.validate_on_submit():
        window, zone = ics.import_window(today_for(current_user)), zone_for(current_user)
        filename = form.calendar.data.filename
        try:
            data = read_upload(form.calendar)
            if batch_jobs.in_background(ics.count_events(data)):
                batch = services.store_batch(
                    current_user, "ics", filename, batch_jobs.calendar_payload(data)
                )
                db.session.flush()
                batch_id = batch.id  # read before the job's commit expires the row
                batch_jobs.start_reading(batch, zone, window)
                return redirect(url_for("imports.batch", batch_id=batch_id))
            read = ics.read_calendar(data, zone, window)
            ics.check_some_events(read)
        except ValueError as error:
            form.calendar.errors.append(str(error))
        else:
            batch = services.store_batch(current_user, "ics", filename, ics.batch_payload(read))
            batch_id = batch.id  # read before commit expires the row
            db.session.commit()
            return redirect(url_for("imports.batch", batch_id=batch_id))
    return _index(calendar_form=form)


@bp.post("/spreadsheet")
def upload_sheet():
    """Read the CSV/XLSX into a stored batch, then show the column mapping and preview."""
    form = SheetUploadForm()
    if form.validate_on_submit():
        with gc_paused():
            try:
                headers, rows = sheets.read_sheet(read_upload(form.sheet))
            except ValueError as error:
                form.sheet.errors.append(str(error))
            else:
                payload = {"headers": headers, "rows": rows}
                filename = form.sheet.data.filename
                batch = services.store_batch(
                    current_user, "spreadsheet", filename, payload, headers
                )
                batch_id = batch.id  # read before commit expires the row
                db.session.commit()
                # Checked now with the suggested columns: the preview and import reuse it.
                mapping = suggest_mapping(headers)
                if batch_jobs.in_background(len(rows)):
                    batch_jobs.start(batch, "stage", staging.signature(mapping, DEFAULTS))
                else:
                    _commit_each(staging.ensure_staged(current_user, batch, mapping, DEFAULTS))
                return redirect(url_for("imports.batch", batch_id=batch_id))
    return _index(sheet_form=form)


@bp.post("/badge")
def upload_badge():
    """Read and verify an Open Badge, then log it as a "badge" activity with its evidence."""
    form = BadgeUploadForm()
    if form.validate_on_submit():
        try:
            info = badges.resolve_badge(read_upload(form.badge), *_fetchers())
            kind = ActivityKind(form.kind.data)
            activity = services.import_badge(current_user, info, kind, form.minutes)
        except ValueError as error:
            db.session.rollback()
            form.badge.errors.append(str(error))
        else:
            db.session.commit()
            reason = f" ({info.check_reason})" if info.check_reason else ""
            flash(f"Imported the badge “{activity.title}”{reason}.", "success")
            return redirect(url_for("activities.detail", activity_id=activity.id))
    return _index(badge_form=form)


def _fetchers():
    """(linked badge JSON, did:web documents), both refusing private addresses unless allowed."""
    timeout = current_app.config.get("BADGE_FETCH_TIMEOUT", 5)
    allow_private = current_app.config.get("BADGE_ALLOW_PRIVATE_HOSTS", False)
    return (
        partial(badges.fetch_json, timeout=timeout, allow_private=allow_private),
        partial(
            safe_fetch.get,
            timeout=timeout,
            max_bytes=did_keys.MAX_DID_DOCUMENT,
            allow_private=allow_private,
        ),
    )


@bp.app_template_global()
def badge_evidence(activity):
    """The badge behind a "badge" activity, for its detail page (one query, badges only)."""
    return services.badge_for(activity)


def _live_batch(batch_id: int) -> ImportBatch:
    batch = get_owned_or_404(ImportBatch, batch_id, current_user)
    if batch.job_state == "done":  # imported by a worker: its page says so until the sweep
        return batch
    if services.is_expired(batch):
        services.discard_batch(batch)
        db.session.commit()
        abort(404)
    return batch


@bp.route("/<int:batch_id>", methods=["GET", "POST"])
def batch(batch_id: int):
    """The preview of one upload: calendar events to pick, or spreadsheet rows to map."""
    with gc_paused():
        batch = batch_jobs.fail_if_worker_lost(_live_batch(batch_id))
        if batch.job_state in (*batch_jobs.RUNNING, "done"):
            return _job_page(batch)
        if batch.kind in ("ics", "xapi"):
            return _calendar(batch)
        return _sheet(batch)


@bp.get("/<int:batch_id>/status")
def batch_status(batch_id: int):
    """What a large import's progress page polls for (batch_jobs.py)."""
    batch = batch_jobs.fail_if_worker_lost(_live_batch(batch_id))
    preview = url_for("imports.batch", batch_id=batch.id)
    response = jsonify(batch_jobs.status(batch, preview, url_for("activities.index")))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _job_page(batch: ImportBatch):
    status_url = url_for("imports.batch_status", batch_id=batch.id)
    return render_template("imports/job.html", batch=batch, status_url=status_url)


@bp.post("/<int:batch_id>/discard")
def discard(batch_id: int):
    batch = get_owned_or_404(ImportBatch, batch_id, current_user)
    if EmptyForm().validate_on_submit():
        services.discard_batch(batch)
        db.session.commit()
        flash("Upload discarded; nothing was imported.", "info")
    return redirect(url_for("imports.index"))


def _calendar(batch: ImportBatch):
    """Calendar events, or xAPI statements read as events (xapi_views.py), to choose from."""
    if batch.job_state == "failed":  # a worker could not read the calendar: say why, keep nothing
        flash(f"Nothing was imported: {batch.job_message}", "danger")
        services.discard_batch(batch)
        db.session.commit()
        return redirect(url_for("imports.index"))
    events = batch.payload["events"]
    source = ActivitySource.XAPI if batch.kind == "xapi" else ActivitySource.ICS
    done = services.imported_uids(current_user, source, [e["uid"] for e in events])
    options = competency_options(current_user)
    form = _calendar_form(events, options)
    if form.validate_on_submit():
        chosen = form.chosen()
        created, skipped = services.import_events(
            current_user,
            [events[i] for i in chosen],
            [form.event_kind(i) for i in chosen],
            [form.event_competencies(i) for i in chosen],
            today_for(current_user),
            source,
        )
        message = batch_jobs.imported_message(created, skipped)
        if batch.kind == "xapi":
            message += xapi_services.trash_voided_message(current_user, batch.payload["voided"])
        services.discard_batch(batch)
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("activities.index"))
    return render_template(
        "imports/calendar.html",
        batch=batch,
        events=events,
        done=done,
        form=form,
        competencies=options,
        skipped=batch.payload.get("skipped", []),
    )


def _calendar_form(events: list[dict], options: list) -> CalendarChoiceForm:
    """The choice form for these events, offering the user's competencies (`options`)."""
    form = calendar_choice_form(len(events))
    form.events.choices = [(str(i), e["title"]) for i, e in enumerate(events)]
    form.competencies.choices = competency_choices(options)
    form.lookup = services.competency_lookup(current_user)
    return form


def _sheet(batch: ImportBatch):
    """Column mapping and preview; "Import" commits every row or, when any is wrong, none.

    A large file's check (for a new mapping) and import go to a worker (batch_jobs.py)."""
    if batch.job_state == "failed":
        flash(batch.job_message, "danger")
        batch.job_state = None
        db.session.commit()  # shown once
    form = _mapping_form(batch)
    submitted = form.validate_on_submit()
    report, dates = None, {}
    if submitted or (request.method == "GET" and form.validate_required()):
        mapping, defaults = form.mapping(), form.defaults()
        checked_with = staging.signature(mapping, defaults)
        if batch.job is not None and batch.mapping != checked_with:
            if not submitted:  # a worker checks a large file only when asked (no retry loop)
                return render_template("imports/sheet.html", batch=batch, form=form, dates={})
            batch_jobs.start(batch, "stage", checked_with)
            return redirect(url_for("imports.batch", batch_id=batch.id))
        _commit_each(staging.ensure_staged(current_user, batch, mapping, defaults))
        report = staging.staged_report(batch.id)
        dates = date_columns(batch.payload["rows"], mapping, defaults.date_order)
    if submitted and form.commit.data and not report.errors:
        if batch.job is not None:
            batch_jobs.start(batch, "import", checked_with, form.include_duplicates.data)
            return redirect(url_for("imports.batch", batch_id=batch.id))
        batch_id = batch.id
        count = staging.import_staged(current_user, batch_id, form.include_duplicates.data)
        db.session.commit()  # the import: one short transaction, all or nothing
        _commit_each(staging.clear_staged(batch_id))
        flash(batch_jobs.imported_message(count, report.total - count), "success")
        return redirect(url_for("activities.index"))
    if submitted:
        db.session.commit()  # keep this mapping's check for the next step
    if submitted and form.commit.data:
        flash(f"Nothing was imported: {report.errors} row(s) have errors.", "danger")
    return render_template("imports/sheet.html", batch=batch, form=form, report=report, dates=dates)


def _mapping_form(batch: ImportBatch) -> MappingForm:
    """The mapping form, first filled with the suggested columns; a large file's with the columns
    its rows were last checked with (a worker checked them, and the page came back by GET)."""
    if batch.job is None or not batch.mapping:
        return MappingForm.for_headers(batch.headers, suggest_mapping(batch.headers))
    mapping, kind, delivery, minutes, date_order = batch.mapping
    return MappingForm.for_headers(
        batch.headers,
        {name: index for name, index in mapping.items() if index is not None},
        default_kind=kind,
        default_delivery=delivery,
        default_hours=f"{minutes / 60:g}" if minutes else "",
        date_order=date_order,
    )


def _commit_each(steps) -> None:
    """Commit after each bounded write of a staging step, so SQLite's write lock is held for one
    chunk at a time and other users' saves never wait long (staging.py explains)."""
    for _ in steps:
        db.session.commit()


@bp.app_template_global()
def badge_check_note(badge) -> str:
    """How a badge was checked, in words ("verified with the issuer", "not verified: …")."""
    return credentials.check_note(badge.verification, badge.verified)
