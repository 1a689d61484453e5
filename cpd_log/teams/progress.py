"""Members' cycles as the lead sees them, computed by the schemes' own engine.

Each member's figures are exactly those of the member's own dashboard
(cpd_log/schemes/progress.dashboard_cycles), reduced to what the lead is shown. They are kept in
the process under the member's (id, account creation time, data version, today), the page
cache's key (cpd_log/page_cache.py): the database raises `data_version` on every write behind
them, so a kept entry is never stale, and the lead's page reads every member's version in its one
membership query. Only a member whose data changed since the last view is counted again (that
member's own dashboard queries); the lead's page costs no more queries for a larger team.
Consent is never kept: it is read afresh on every page.
"""

import threading
from dataclasses import dataclass
from datetime import date

from cachetools import LRUCache
from flask import Flask, current_app

from cpd_log.schemes.progress import dashboard_cycles
from cpd_log.teams.standing import standing

EXTENSION = "cpd_log.teams.progress"
# Members whose figures a process keeps: a few hundred bytes each.
KEPT_MEMBERS = 5000


@dataclass(frozen=True)
class MemberCycle:
    label: str
    scheme: str
    start: date
    end: date
    days_left: int
    standing: str
    counted: str  # the total counted, in the scheme's unit ("12.5 hours", "30 PDUs")
    target: str


class MemberProgress:
    def __init__(self, size: int):
        self._kept = LRUCache(maxsize=size) if size > 0 else None
        self._lock = threading.Lock()
        self.computed = 0

    def cycles(self, user, today: date) -> tuple[MemberCycle, ...]:
        key = (user.id, user.created_at.isoformat(), user.data_version, today.isoformat())
        if self._kept is not None:
            with self._lock:
                found = self._kept.get(key)
            if found is not None:
                return found
        self.computed += 1
        found = tuple(_member_cycle(view) for view in dashboard_cycles(user, today))
        if self._kept is not None:
            with self._lock:
                self._kept[key] = found
        return found


def _member_cycle(view) -> MemberCycle:
    total = view.progress.rule("total")
    projection = view.projection
    return MemberCycle(
        label=view.cycle.label,
        scheme=view.cycle.scheme_name,
        start=view.cycle.start,
        end=view.cycle.end,
        days_left=view.days_left,
        standing=standing(
            view.progress.complete,
            view.cycle.end,
            projection.finish if projection else None,
            projection.needed if projection else total.needed,
        ),
        counted=view.scheme.amount(view.progress.total),
        target=view.scheme.amount(total.target),
    )


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = MemberProgress(
        int(app.config.get("TEAM_PROGRESS_KEPT", KEPT_MEMBERS))
    )


def member_progress() -> MemberProgress:
    return current_app.extensions[EXTENSION]
