"""The appraisal cycle: submit, comment, sign off or return, resubmit, withdraw.

Who may do what is decided here, afresh on every call (no cached membership):
- the member (the appraisal's owner) submits to an appraiser of a team both are in, withdraws,
  and resubmits after a return while both are still in that team;
- the appraiser reaches an appraisal (`for_appraiser`) only while they hold the appraiser role in
  its team *and* the member is still a member of it: a removed appraiser or a removed member
  answers None, which the views turn into 404.
A decision is one conditional UPDATE on (state, round): a second sign-off, a decision on a
withdrawn or resubmitted submission changes nothing and raises AppraisalError saying why.
Services flush; the view commits.
"""

from datetime import UTC, datetime

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import aliased

from cpd_log.appraisals import snapshot
from cpd_log.extensions import db
from cpd_log.models.appraisal import (
    Appraisal,
    AppraisalComment,
    AppraisalEvent,
    AppraisalEventKind,
    AppraisalState,
)
from cpd_log.models.team import Team, TeamMembership
from cpd_log.models.user import User

OPEN_STATES = (AppraisalState.SUBMITTED, AppraisalState.RETURNED)


class AppraisalError(ValueError):
    """A step refused for a reason the user can read (the message says which); nothing changed."""


class ReasonRequired(AppraisalError):
    """A return without a reason: the message belongs next to the reason field."""


def _is_appraiser(team_id, user_id):
    return exists().where(
        TeamMembership.team_id == team_id,
        TeamMembership.user_id == user_id,
        TeamMembership.is_appraiser.is_(True),
    )


def _is_member(team_id, user_id):
    return exists().where(TeamMembership.team_id == team_id, TeamMembership.user_id == user_id)


def appraiser_choices(member: User) -> list[tuple[str, str]]:
    """("team id:appraiser id", "Appraiser — Team") for every appraiser (other than the member)
    of every team the member is in; one query."""
    mine, theirs = aliased(TeamMembership), aliased(TeamMembership)
    rows = db.session.execute(
        select(Team.id, Team.name, User.id, User.display_name)
        .join(mine, and_(mine.team_id == Team.id, mine.user_id == member.id))
        .join(theirs, and_(theirs.team_id == Team.id, theirs.is_appraiser.is_(True)))
        .join(User, User.id == theirs.user_id)
        .where(User.id != member.id)
        .order_by(Team.name, Team.id, User.display_name, User.id)
    )
    return [(f"{tid}:{uid}", f"{name} — {team}") for tid, team, uid, name in rows]


def _event(appraisal: Appraisal, kind: AppraisalEventKind, actor: User, note: str, now) -> None:
    db.session.add(
        AppraisalEvent(
            appraisal_id=appraisal.id,
            round=appraisal.round,
            kind=kind,
            actor_id=actor.id,
            actor_name=actor.display_name,
            note=note,
            at=now,
        )
    )


def _check_pair(member: User, team_id: int, appraiser_id: int) -> tuple[Team, User]:
    """Both still in the team, the appraiser still an appraiser, and not the member."""
    team = db.session.get(Team, team_id)
    appraiser = db.session.get(User, appraiser_id)
    if team is None or appraiser is None or appraiser_id == member.id:
        raise AppraisalError("Choose one of your teams' appraisers.")
    ok = db.session.scalar(
        select(_is_member(team_id, member.id) & _is_appraiser(team_id, appraiser_id))
    )
    if not ok:
        raise AppraisalError(
            f"{appraiser.display_name} is no longer an appraiser of {team.name}, or you are no "
            "longer a member: choose another appraiser."
        )
    return team, appraiser


def open_appraisal_of(portfolio_id: int) -> Appraisal | None:
    return db.session.scalar(
        select(Appraisal).where(
            Appraisal.portfolio_id == portfolio_id, Appraisal.state.in_(OPEN_STATES)
        )
    )


def submit(member: User, portfolio, team_id: int, appraiser_id: int, now=None) -> Appraisal:
    """Freeze the portfolio's present content and send it to the appraiser (round 1)."""
    now = now or datetime.now(UTC)
    team, appraiser = _check_pair(member, team_id, appraiser_id)
    pending = open_appraisal_of(portfolio.id)
    if pending is not None:
        raise AppraisalError(
            f"This portfolio is already with {pending.appraiser_name} ({pending.team_name}): "
            "withdraw it there first, or resubmit it there after a return."
        )
    appraisal = Appraisal(
        user_id=member.id,
        team_id=team.id,
        appraiser_id=appraiser.id,
        portfolio_id=portfolio.id,
        team_name=team.name,
        appraiser_name=appraiser.display_name,
        title=portfolio.title,
        period_from=portfolio.date_from,
        period_to=portfolio.date_to,
        cycle_label=snapshot.cycle_label(portfolio),
        round=1,
        snapshot=snapshot.take(portfolio),
        state=AppraisalState.SUBMITTED,
        submitted_at=now,
    )
    db.session.add(appraisal)
    db.session.flush()
    _event(appraisal, AppraisalEventKind.SUBMITTED, member, "", now)
    db.session.flush()
    return appraisal


def resubmit(member: User, appraisal: Appraisal, portfolio, now=None) -> Appraisal:
    """After a return: a new snapshot of the portfolio as it is now, and a new round."""
    now = now or datetime.now(UTC)
    if appraisal.state is not AppraisalState.RETURNED:
        raise AppraisalError(
            f"Only a returned submission can be resubmitted; this one is "
            f"{appraisal.state.label.lower()}. Nothing changed."
        )
    if portfolio is None or appraisal.team_id is None or appraisal.appraiser_id is None:
        raise AppraisalError("The portfolio, the team or the appraiser is gone: submit anew.")
    _check_pair(member, appraisal.team_id, appraisal.appraiser_id)
    appraisal.round += 1
    appraisal.snapshot = snapshot.take(portfolio)
    appraisal.title = portfolio.title
    appraisal.period_from, appraisal.period_to = portfolio.date_from, portfolio.date_to
    appraisal.cycle_label = snapshot.cycle_label(portfolio)
    appraisal.state = AppraisalState.SUBMITTED
    appraisal.submitted_at, appraisal.decided_at = now, None
    _event(appraisal, AppraisalEventKind.RESUBMITTED, member, "", now)
    db.session.flush()
    return appraisal


def withdraw(member: User, appraisal: Appraisal, now=None) -> None:
    now = now or datetime.now(UTC)
    changed = _move(appraisal, OPEN_STATES, AppraisalState.WITHDRAWN, now, any_round=True)
    if not changed:
        raise AppraisalError(
            f"This submission is {appraisal.state.label.lower()}: "
            "it cannot be withdrawn. Nothing changed."
        )
    _event(appraisal, AppraisalEventKind.WITHDRAWN, member, "", now)
    db.session.flush()


def _move(appraisal: Appraisal, states, to: AppraisalState, now, round_=None, any_round=False):
    """One conditional UPDATE: two clicks at once cannot both decide. Unless `any_round`, only
    the round the page showed (`round_`; None, from a form with no valid round, matches none)."""
    query = update(Appraisal).where(Appraisal.id == appraisal.id, Appraisal.state.in_(states))
    if not any_round:
        if round_ is None:
            return False
        query = query.where(Appraisal.round == round_)
    result = db.session.execute(
        query.values(state=to, decided_at=now), execution_options={"synchronize_session": False}
    )
    db.session.refresh(appraisal)
    return result.rowcount == 1


def for_appraiser(user: User, appraisal_id: int) -> Appraisal | None:
    """The appraisal submitted to `user`, while they are its team's appraiser and the member is
    still in the team; else None (the view answers 404)."""
    return db.session.scalar(_to_review(user).where(Appraisal.id == appraisal_id))


def _to_review(user: User):
    return select(Appraisal).where(
        Appraisal.appraiser_id == user.id,
        _is_appraiser(Appraisal.team_id, user.id),
        _is_member(Appraisal.team_id, Appraisal.user_id),
    )


def to_review(user: User) -> list[Appraisal]:
    """Everything submitted to `user` that they may still open, open ones first."""
    order = (Appraisal.state != AppraisalState.SUBMITTED, Appraisal.submitted_at.desc())
    return list(db.session.scalars(_to_review(user).order_by(*order)))


def submitted_by(member: User) -> list[Appraisal]:
    return list(
        db.session.scalars(
            select(Appraisal)
            .where(Appraisal.user_id == member.id)
            .order_by(Appraisal.submitted_at.desc(), Appraisal.id.desc())
        )
    )


def _refusal(appraisal: Appraisal, round_: int) -> AppraisalError:
    """Why a decision or comment on this appraisal changes nothing."""
    when = f"{appraisal.decided_at:%-d %b %Y}" if appraisal.decided_at else ""
    if appraisal.state is AppraisalState.SIGNED_OFF:
        text = f"This submission was already signed off on {when}."
    elif appraisal.state is AppraisalState.RETURNED:
        text = f"This submission was returned on {when}; the member can resubmit it."
    elif appraisal.state is AppraisalState.WITHDRAWN:
        text = f"The member withdrew this submission on {when}."
    elif round_ is None:
        text = "This form is out of date: reload the page."
    elif appraisal.round != round_:
        text = "The member resubmitted this since you opened it: read the new submission."
    else:
        text = "This submission cannot take that step now."
    return AppraisalError(text + " Nothing changed.")


def add_comment(
    appraiser: User, appraisal: Appraisal, round_: int, activity_id: int | None, body: str, now=None
) -> AppraisalComment:
    """A comment on one submitted activity or (activity_id None) on the whole submission."""
    if appraisal.state is not AppraisalState.SUBMITTED or appraisal.round != round_:
        raise _refusal(appraisal, round_)
    title = ""
    if activity_id is not None:
        title = snapshot.activity_title(appraisal.snapshot, activity_id)
        if title is None:
            raise AppraisalError("That activity is not in this submission. Nothing changed.")
    comment = AppraisalComment(
        appraisal_id=appraisal.id,
        round=appraisal.round,
        activity_id=activity_id,
        activity_title=title,
        author_id=appraiser.id,
        author_name=appraiser.display_name,
        body=body.strip(),
        created_at=now or datetime.now(UTC),
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def decide(
    appraiser: User, appraisal: Appraisal, round_: int, sign_off: bool, reason: str, now=None
) -> None:
    """Sign off, or return with a reason (required: the member must know what to change)."""
    now = now or datetime.now(UTC)
    reason = (reason or "").strip()
    if not sign_off and not reason:
        raise ReasonRequired("Say why you return it, so the member knows what to change.")
    to = AppraisalState.SIGNED_OFF if sign_off else AppraisalState.RETURNED
    if not _move(appraisal, (AppraisalState.SUBMITTED,), to, now, round_=round_):
        raise _refusal(appraisal, round_)
    kind = AppraisalEventKind.SIGNED_OFF if sign_off else AppraisalEventKind.RETURNED
    _event(appraisal, kind, appraiser, reason, now)
    db.session.flush()


def comment_groups(appraisal: Appraisal) -> tuple[dict[int, list], list, list]:
    """(activity id -> its comments, comments on the whole, comments on activities no longer in
    the current snapshot (an earlier round's)), each in the order written."""
    present = {a.get("id") for a in snapshot.activities(appraisal.snapshot)}
    by_activity: dict[int, list] = {}
    whole, earlier = [], []
    for comment in appraisal.comments:
        if comment.activity_id is None:
            whole.append(comment)
        elif comment.activity_id in present:
            by_activity.setdefault(comment.activity_id, []).append(comment)
        else:
            earlier.append(comment)
    return by_activity, whole, earlier
