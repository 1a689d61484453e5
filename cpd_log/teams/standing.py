"""Where a member's cycle stands, in the lead's three words. Pure Python.

Met: every rule of the cycle is met. On pace: not yet, but at the member's last-90-days pace the
total is reached by the cycle's end (cpd_log/schemes/pace.py projects it). At risk: neither —
no recent pace, or a finish after the end, or the cycle is over with a rule unmet.
"""

from datetime import date

MET = "met"
ON_PACE = "on pace"
AT_RISK = "at risk"
STANDINGS = (MET, ON_PACE, AT_RISK)


def standing(complete: bool, end: date, finish: date | None, needed: int | None) -> str:
    """`finish`: the projected finish (None: no pace, or the cycle has ended); `needed`: minutes
    still needed toward the total (0: the total is reached though another rule is not)."""
    if complete:
        return MET
    if needed == 0 or (finish is not None and finish <= end):
        return ON_PACE
    return AT_RISK
