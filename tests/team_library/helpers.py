"""Builders for team library tests: a team with a lead and members, real rows."""

from cpd_log.extensions import db
from cpd_log.models.team import TeamMembership
from cpd_log.teams.services import create_team


def make_team(lead, *members, name: str = "PMO team"):
    """A team led by `lead` with `members` (plain members), committed."""
    team = create_team(lead, name).team
    for member in members:
        db.session.add(TeamMembership(team_id=team.id, user_id=member.id))
    db.session.commit()
    return team


def leave(team, member) -> None:
    """The member leaves (the membership row goes, as the teams feature's leave does)."""
    db.session.execute(
        db.delete(TeamMembership).where(
            TeamMembership.team_id == team.id, TeamMembership.user_id == member.id
        )
    )
    db.session.commit()
