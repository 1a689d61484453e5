"""Scheme pages: enrol, see cycles and what counts where, split an activity, write a scheme."""

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from wtforms import SelectChoice

from cpd_log.access import get_owned_or_404
from cpd_log.claims import preaudit_loading
from cpd_log.common.dates import today_for
from cpd_log.extensions import db
from cpd_log.forms import EmptyForm
from cpd_log.models import Activity, ActivityKind
from cpd_log.models.scheme import Cycle, Enrolment
from cpd_log.schemes import progress, services
from cpd_log.schemes.checking import DATA_DIR
from cpd_log.schemes.forms import EnrolForm, SchemeForm, split_form

bp = Blueprint("schemes", __name__, url_prefix="/schemes")


@bp.before_request
@login_required
def _require_login():
    """Every scheme page is for a logged-in owner."""


def scheme_label(scheme) -> str:
    """A scheme as the enrol list names it: a team's says whose it is."""
    return f"{scheme.name} ({scheme.team.name})" if scheme.team_id else scheme.name


@bp.route("/", methods=["GET", "POST"])
def index():
    """The user's schemes and cycles, and the form to enrol in another."""
    today = today_for(current_user)
    form = EnrolForm(scheme=request.args.get("scheme", type=int))  # "Enrol" on a team's page
    schemes = services.available_schemes(current_user)
    form.scheme.choices = [SelectChoice(s.id, scheme_label(s)) for s in schemes]
    if form.validate_on_submit():
        scheme = next(s for s in schemes if s.id == form.scheme.data)
        enrolment = services.enrol(
            current_user, scheme, form.start_date.data, (form.label.data or "").strip(), today
        )
        db.session.commit()
        flash(f"Enrolled in {enrolment.label}.", "success")
        return redirect(url_for("schemes.index"))
    enrolments = services.user_enrolments(current_user, today)
    page = render_template(
        "schemes/index.html", form=form, enrolments=enrolments, schemes=schemes, today=today
    )
    db.session.commit()  # cycles that began since the last visit are stored (after rendering,
    return page  # which reads the rows before the commit expires them)


def _owned_cycle(cycle_id: int, today) -> Cycle:
    """The user's cycle (404 otherwise), moved to the newest scheme version if still open."""
    found, changed = services.owned_cycle(current_user, cycle_id, today)
    if changed:
        db.session.commit()  # store the newer scheme version before the page reads the cycle
    return found


@bp.get("/cycles/<int:cycle_id>")
def cycle(cycle_id: int):
    """One cycle: each rule, and which activities count toward which category and why, a page
    of activities at a time (the totals count them all)."""
    today = today_for(current_user)
    found = _owned_cycle(cycle_id, today)
    number = max(request.args.get("page", 1, type=int), 1)
    view, lines = progress.cycle_page(
        current_user, found, today, number, current_app.config["ITEMS_PER_PAGE"]
    )
    findings = preaudit_loading.page_findings(current_user, found, view)
    page = render_template(
        "schemes/cycle.html",
        view=view,
        lines=lines,
        today=today,
        reset_form=EmptyForm(),
        findings=findings,
    )
    db.session.commit()  # the counts kept for the next view (schemes/kept.py), after rendering
    return page


def _cycle_and_activity(cycle_id: int, activity_id: int):
    """The cycle and an activity counted in it (404 when either is not the user's, or the
    activity does not fall within the cycle)."""
    today = today_for(current_user)
    found = _owned_cycle(cycle_id, today)
    view = progress.compute(current_user, progress.with_predecessors([found]), today)[found.id]
    line = next(iter(view.lines_for(progress.Shown(Activity.id == activity_id))), None)
    if line is None:
        get_owned_or_404(Activity, activity_id, current_user)
        abort(404)
    return found, view, line


@bp.route("/cycles/<int:cycle_id>/activities/<int:activity_id>", methods=["GET", "POST"])
def split(cycle_id: int, activity_id: int):
    """Override how one activity's minutes count in one cycle."""
    found, view, line = _cycle_and_activity(cycle_id, activity_id)
    form = split_form(view.scheme, line.activity.minutes, line.split)
    if form.validate_on_submit():
        services.set_split(found, activity_id, form.split)
        db.session.commit()
        flash(f"Saved your split of “{line.activity.title}”.", "success")
        return redirect(url_for("schemes.cycle", cycle_id=found.id))
    return render_template(
        "schemes/split.html", form=form, view=view, line=line, reset_form=EmptyForm()
    )


@bp.post("/cycles/<int:cycle_id>/activities/<int:activity_id>/reset")
def reset(cycle_id: int, activity_id: int):
    found, _view, line = _cycle_and_activity(cycle_id, activity_id)
    if EmptyForm().validate_on_submit():
        services.reset_split(found, activity_id)
        db.session.commit()
        flash(f"“{line.activity.title}” counts by the scheme's rules again.", "info")
    return redirect(url_for("schemes.cycle", cycle_id=found.id))


@bp.post("/enrolments/<int:enrolment_id>/leave")
def leave(enrolment_id: int):
    """Stop following a scheme: its cycles and your splits in them go; activities stay."""
    enrolment = get_owned_or_404(Enrolment, enrolment_id, current_user)
    if EmptyForm().validate_on_submit():
        services.leave(enrolment)
        db.session.commit()
        flash(f"Left {enrolment.label}. Your activities are unchanged.", "info")
    return redirect(url_for("schemes.index"))


def _starting_text(scheme_id: int) -> str:
    source = services.get_available_scheme(current_user, scheme_id) if scheme_id else None
    if source is None:
        return (DATA_DIR / "custom.json").read_text(encoding="utf-8")
    return json.dumps(source.content, indent=2, ensure_ascii=False)


@bp.route("/new", methods=["GET", "POST"])
def new_scheme():
    """Write your own scheme (e.g. the employer's appraisal year), starting from the blank one
    or from a copy of any scheme you can see (?from=<id>); a new version of your own scheme is
    saved beside the old one, which the cycles it closed keep."""
    form = SchemeForm()
    if not form.is_submitted():
        form.content.data = _starting_text(request.args.get("from", 0, type=int))
    if form.validate_on_submit():
        if services.own_scheme_exists(current_user, form.data_):
            form.content.errors.append(
                f"You already have “{form.data_['slug']}” version {form.data_['version']}: "
                "change the version to save a new one."
            )
        else:
            scheme, _ = services.load_scheme(form.data_, owner_id=current_user.id)
            db.session.commit()
            flash(f"Saved {scheme.name} (version {scheme.version}).", "success")
            return redirect(url_for("schemes.index"))
    return render_template(
        "schemes/new.html", form=form, kinds=[kind.value for kind in ActivityKind]
    )
