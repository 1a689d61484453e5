"""Schemes in the database: seeding shipped files, the user's own schemes, enrolment, cycles.
Services flush; views commit."""

from datetime import date

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from cpd_log.access import get_owned_or_404, member_teams, owned, shipped
from cpd_log.extensions import db
from cpd_log.models.scheme import Allocation, Cycle, Enrolment, Scheme
from cpd_log.models.team import TeamMembership
from cpd_log.schemes.checking import SchemeError, read_scheme_file, shipped_scheme_files
from cpd_log.schemes.periods import cycles_until


def load_scheme(
    data: dict, owner_id: int | None = None, team_id: int | None = None
) -> tuple[Scheme, bool]:
    """Store a validated scheme file as a snapshot, global, a user's (`owner_id`) or a team's
    (`team_id`); (row, created). The same slug and version again changes nothing; a new version
    adds a row beside the old one (closed cycles keep it)."""
    if team_id is not None:
        owner = Scheme.team_id == team_id
    else:
        owner = shipped(Scheme) if owner_id is None else Scheme.owner_id == owner_id
    row = db.session.scalar(
        select(Scheme).where(owner, Scheme.slug == data["slug"], Scheme.version == data["version"])
    )
    if row is not None:
        return row, False
    row = Scheme(
        slug=data["slug"],
        version=data["version"],
        name=data["name"],
        source=data["source"],
        content=data,
        owner_id=owner_id,
        team_id=team_id,
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def seed_schemes() -> list[tuple[Scheme, bool]]:
    """Load every shipped scheme file as a global scheme (safe to run again).

    A file edited without a new version is refused: loading it would silently change the rules
    that closed cycles were measured with.
    """
    results = []
    for path in shipped_scheme_files():
        data = read_scheme_file(path)[0]
        row, created = load_scheme(data)
        if not created and row.content != data:
            raise SchemeError(
                [
                    f"{path.name} changed but its version {data['version']} did not: give it a new "
                    "version so cycles measured with the old rules keep them."
                ]
            )
        results.append((row, created))
    return results


def available_schemes(user) -> list[Scheme]:
    """The newest version of each scheme the user may enrol in: shipped ones, their own and
    those of the teams they are a member of (shipped first, then theirs, then the teams')."""
    rows = db.session.scalars(
        select(Scheme)
        .where(
            or_(
                shipped(Scheme),
                Scheme.owner_id == user.id,
                Scheme.team_id.in_(member_teams(user)),
            )
        )
        .options(selectinload(Scheme.team))
        .order_by(Scheme.id)
    )
    newest = {scheme_line(row): row for row in rows}
    return sorted(
        newest.values(),
        key=lambda row: (row.owner_id is not None, row.team_id is not None, row.name.lower()),
    )


def scheme_line(scheme: Scheme) -> tuple:
    """What the versions of one scheme share: whose it is (user or team) and its slug."""
    return (scheme.owner_id, scheme.team_id, scheme.slug)


def own_scheme_exists(user, data: dict) -> bool:
    """Whether the user already saved this slug at this version (versions are never edited)."""
    return (
        db.session.scalar(
            select(Scheme.id).where(
                Scheme.owner_id == user.id,
                Scheme.slug == data["slug"],
                Scheme.version == data["version"],
            )
        )
        is not None
    )


def get_available_scheme(user, scheme_id: int) -> Scheme | None:
    return next((s for s in available_schemes(user) if s.id == scheme_id), None)


def enrol(user, scheme: Scheme, start_date: date, label: str, today: date) -> Enrolment:
    enrolment = Enrolment(
        user_id=user.id, scheme=scheme, start_date=start_date, label=label or scheme.name
    )
    db.session.add(enrolment)
    db.session.flush()
    sync_cycles([enrolment], today)
    return enrolment


def leave(enrolment: Enrolment) -> None:
    db.session.delete(enrolment)
    db.session.flush()


def user_enrolments(user, today: date) -> list[Enrolment]:
    """The user's enrolments with their cycles brought up to today. Constant queries."""
    enrolments = list(
        db.session.scalars(
            owned(Enrolment, user)
            .options(
                selectinload(Enrolment.scheme),
                selectinload(Enrolment.cycles).selectinload(Cycle.scheme),
                # the reverse side too, so cycle.enrolment is no lazy load per cycle
                selectinload(Enrolment.cycles).selectinload(Cycle.enrolment),
            )
            .order_by(Enrolment.start_date, Enrolment.id)
        )
    )
    sync_cycles(enrolments, today)
    return enrolments


def owned_cycle(user, cycle_id: int, today: date) -> tuple[Cycle, bool]:
    """The user's cycle (404 otherwise) with its scheme and its enrolment's cycles, moved to the
    newest scheme version if still open; (cycle, changed): the caller commits when changed, before
    a page reads the cycle."""
    enrolment = selectinload(Cycle.enrolment)
    found = get_owned_or_404(
        Cycle,
        cycle_id,
        user,
        selectinload(Cycle.scheme),
        enrolment.selectinload(Enrolment.scheme),
        enrolment.selectinload(Enrolment.cycles).selectinload(Cycle.scheme),
    )
    return found, sync_cycles([found.enrolment], today)


def _newest_versions(enrolments: list[Enrolment]) -> dict[tuple, Scheme]:
    """The newest version of each enrolment's scheme. A team's scheme only moves on while the
    member is in the team: after leaving, the enrolment keeps the version of its newest cycle
    (README, "Team frameworks and schemes"). One query, two with a team's scheme."""
    slugs = {e.scheme.slug for e in enrolments}
    if not slugs:
        return {}
    rows = db.session.scalars(select(Scheme).where(Scheme.slug.in_(slugs)).order_by(Scheme.id))
    newest = {scheme_line(row): row for row in rows}
    teams = {e.scheme.team_id for e in enrolments} - {None}
    if teams:
        users = {e.user_id for e in enrolments}
        rows = db.session.execute(
            select(TeamMembership.user_id, TeamMembership.team_id).where(
                TeamMembership.team_id.in_(teams), TeamMembership.user_id.in_(users)
            )
        )
        still = {(user_id, team_id) for user_id, team_id in rows}
        for enrolment in enrolments:
            team = enrolment.scheme.team_id
            if team is not None and (enrolment.user_id, team) not in still:
                had = enrolment.cycles[-1].scheme if enrolment.cycles else enrolment.scheme
                newest[(enrolment.user_id, scheme_line(enrolment.scheme))] = had
    return newest


def sync_cycles(enrolments: list[Enrolment], today: date) -> bool:
    """Create the cycles up to the one containing today; move cycles that have not ended to the
    newest scheme version. Closed cycles are never touched (their version is their record)."""
    newest = _newest_versions(enrolments)
    changed = False
    for enrolment in enrolments:
        line = scheme_line(enrolment.scheme)
        scheme = newest.get((enrolment.user_id, line)) or newest.get(line, enrolment.scheme)
        periods = cycles_until(scheme.content["period"], enrolment.start_date, today)
        existing = {cycle.number: cycle for cycle in enrolment.cycles}
        for period in periods:
            cycle = existing.get(period.index)
            if cycle is None:
                cycle = Cycle(user_id=enrolment.user_id, number=period.index, scheme=scheme)
                enrolment.cycles.append(cycle)
                changed = True
            rolling = scheme.content["period"]["type"] == "rolling"  # its one window moves daily
            if rolling or cycle.end_date is None or cycle.end_date >= today:
                changed |= _set(cycle, scheme, period.start, period.end)
    if changed:
        db.session.flush()
    return changed


def _set(cycle: Cycle, scheme: Scheme, start: date, end: date) -> bool:
    if (cycle.scheme, cycle.start_date, cycle.end_date) == (scheme, start, end):
        return False
    cycle.scheme, cycle.start_date, cycle.end_date = scheme, start, end
    return True


def set_split(cycle: Cycle, activity_id: int, split: dict[str, int]) -> None:
    """Replace the user's split of one activity in one cycle (zero shares are not stored, but an
    all-zero split is kept as one zero row so the activity stays deliberately uncounted)."""
    reset_split(cycle, activity_id)
    rows = {code: minutes for code, minutes in split.items() if minutes > 0}
    if not rows:
        first = next(iter(split), None)
        rows = {first: 0} if first else {}
    for code, minutes in rows.items():
        db.session.add(
            Allocation(
                user_id=cycle.user_id,
                cycle_id=cycle.id,
                activity_id=activity_id,
                category=code,
                minutes=minutes,
            )
        )
    db.session.flush()


def reset_split(cycle: Cycle, activity_id: int) -> None:
    """Back to the scheme's default rules for this activity in this cycle."""
    db.session.execute(
        delete(Allocation).where(
            Allocation.cycle_id == cycle.id, Allocation.activity_id == activity_id
        )
    )
    db.session.flush()
