"""Members' figures as the lead sees them: their cycles, computed by the schemes' own engine,
and their coverage (cpd_log/teams/coverage.py).

Each member's figures are exactly those of the member's own dashboard
(cpd_log/schemes/progress.dashboard_cycles), reduced to what the lead is shown. They are kept in
the process under the member's (id, account creation time, data version, today), the page
cache's key (cpd_log/page_cache.py): the database raises `data_version` on every write behind
them, so a kept entry is never stale, and the lead's page reads every member's version in its one
membership query. Only the members whose data changed since the last view are counted again,
all together in a fixed number of queries (cpd_log/schemes/batch.py for cycles, one query for
coverage): neither a repeat view nor a first one costs more queries for a larger team. Consent
is never kept: it is read afresh on every page, and a member's figures are only computed when
the member shares them.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cachetools import LRUCache
from flask import Flask, current_app

from cpd_log.schemes.batch import members_cycles
from cpd_log.teams.standing import standing

EXTENSION = "cpd_log.teams.progress"
# Figures a process keeps (a member's cycles, or a member's coverage of one framework): a few
# hundred bytes to a few kilobytes each.
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
        self.computed = 0  # members counted afresh (cycles), for tests and the bench

    @staticmethod
    def _key(user, parts: tuple) -> tuple:
        return (user.id, user.created_at.isoformat(), user.data_version, *parts)

    def _get(self, key):
        if self._kept is None:
            return None
        with self._lock:
            return self._kept.get(key)

    def _put(self, key, value) -> None:
        if self._kept is not None:
            with self._lock:
                self._kept[key] = value

    def cycles(self, users, today_of: Callable[..., date]) -> dict[int, tuple[MemberCycle, ...]]:
        """{user id: the user's active cycles on `today_of(user)`}: those not kept counted
        together (cpd_log/schemes/batch.py), in the same queries for any number of them."""
        found, missing = {}, []
        for user in users:
            value = self._get(self._key(user, ("cycles", today_of(user).isoformat())))
            if value is None:
                missing.append(user)
            else:
                found[user.id] = value
        if missing:
            self.computed += len(missing)
            for user_id, views in members_cycles(missing, today_of).items():
                found[user_id] = tuple(_member_cycle(view) for view in views)
            for user in missing:
                self._put(self._key(user, ("cycles", today_of(user).isoformat())), found[user.id])
        return found

    def each(self, users, parts: tuple, compute: Callable[[list], dict]) -> dict:
        """{user id: value} for `users`, `compute(users not kept)` -> {user id: value} called
        once for all the members whose data changed (or not at all)."""
        found, missing = {}, []
        for user in users:
            value = self._get(self._key(user, parts))
            if value is None:
                missing.append(user)
            else:
                found[user.id] = value
        if missing:
            fresh = compute(missing)
            for user in missing:
                found[user.id] = fresh[user.id]
                self._put(self._key(user, parts), fresh[user.id])
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
