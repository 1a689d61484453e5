"""Claim statuses in the account export (version 4 on): where each activity's claim with the body
stands in a cycle, and the body's type the user chose for it (version 6 on: the minutes it
counted when marked claimed).

A status names its cycle as a portfolio does, [enrolment key, cycle number] (cycles are rebuilt
from the enrolments), and its activity by the activity's key in the same file. Import skips a
status already there for the same cycle and activity, so importing twice changes nothing.
"""

from datetime import date

from sqlalchemy import select

from cpd_log.access import owned
from cpd_log.account.account_format import record
from cpd_log.account.codec import Reader, Seen, write
from cpd_log.account.transfer import BadFile
from cpd_log.claims.choices import ClaimState
from cpd_log.extensions import db
from cpd_log.models.claim import MAX_REASON, MAX_REFERENCE, ClaimStatus
from cpd_log.models.scheme import Cycle

MAX_TYPE = 100
MAX_CLAIMED_MINUTES = 2**31 - 1  # an INTEGER column


def export_claims(user, activity_keys: dict[int, str], enrolment_keys: dict[int, str]) -> dict:
    rows = db.session.execute(
        select(ClaimStatus, Cycle.enrolment_id, Cycle.number)
        .join(Cycle, ClaimStatus.cycle_id == Cycle.id)
        .where(ClaimStatus.user_id == user.id)
    )
    statuses = (
        write(
            record("claim_status"),
            row,
            enrolment=enrolment_keys[enrolment_id],
            cycle=number,
            activity=activity_keys[row.activity_id],
        )
        for row, enrolment_id, number in rows
    )
    return {
        "claim_statuses": sorted(
            statuses, key=lambda s: (s["enrolment"], s["cycle"], s["activity"])
        )
    }


def import_claims(user, document: dict, activity_ids: dict, cycle_of, reader: Reader) -> int:
    """Add the statuses the account lacks (`cycle_of`: a cycle reference → cycle id, from
    scheme_transfer.portfolio_cycle_finder, after the enrolments are imported)."""
    seen = Seen(record("claim_status"), db.session.scalars(owned(ClaimStatus, user)))
    added = 0
    for where, _, values in reader.each("claim_status", document["claim_statuses"], "Claim status"):
        cycle_id = cycle_of([values["enrolment"], values["cycle"]], where)
        activity_id = activity_ids.get(str(values["activity"]))
        if activity_id is None:
            raise BadFile(f"{where}: “activity” names no activity in this file.")
        _check(values, where)
        same = {"cycle_id": cycle_id, "activity_id": activity_id}
        if seen.get(same) is None:
            columns = record("claim_status").columns(values)
            db.session.add(ClaimStatus(user_id=user.id, **same, **columns))
            seen.add(same, True)
            added += 1
    return added


def _check(values: dict, where: str) -> None:
    """What the claim form and the table insist on."""
    if values["state"] is ClaimState.CLAIMED and values["claimed_on"] is None:
        raise BadFile(f"{where}: a claimed status needs “claimed_on”.")
    day = values["claimed_on"]
    if day is not None and not date(1900, 1, 1) <= day <= date(2100, 12, 31):
        raise BadFile(f"{where}: “claimed_on” has an invalid value.")
    minutes = values["claimed_minutes"]
    if minutes is not None and not 0 <= minutes <= MAX_CLAIMED_MINUTES:
        raise BadFile(f"{where}: “claimed_minutes” has an invalid value.")
    limits = {"reference": MAX_REFERENCE, "reason": MAX_REASON, "body_type": MAX_TYPE}
    for name, limit in limits.items():
        if len(values[name] or "") > limit:
            raise BadFile(f"{where}: “{name}” is longer than {limit} characters.")
