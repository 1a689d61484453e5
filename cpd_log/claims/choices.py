"""Where a claim stands with the body, per activity and cycle. Plain Python: the ORM model
(cpd_log/models/claim.py), the form and the account backup read it from here."""

from enum import StrEnum


class ClaimState(StrEnum):
    TO_CLAIM = "to_claim"
    CLAIMED = "claimed"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"to_claim": "To claim", "claimed": "Claimed", "rejected": "Rejected"}[self]
