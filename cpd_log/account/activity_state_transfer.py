"""What hangs off an activity besides its fields, in the account backup (format version 2):
its verified badge, its quick-capture mark ("still to complete") and the "How did you apply it?"
prompts the user dismissed.

Version 1 files have none of these keys; they import with no badge, no mark, no dismissals.
A badge's links (issuer, alignment targets) are kept only when they are http(s): a `javascript:`
or `data:` address in an imported file is dropped and counted (common/web_urls.is_web_url).
"""

from datetime import date, datetime

from sqlalchemy import select

from cpd_log.common.web_urls import is_web_url
from cpd_log.extensions import db
from cpd_log.models import ApplyPromptDismissal, BadgeAssertion, QuickCapture

BADGE_FIELDS = {
    "assertion_id": str,
    "badge_name": str,
    "issuer_name": str,
    "issuer_url": str,
    "issued_on": date,
    "verification": str,
    "verified": bool,
    "verified_at": datetime,
    "raw": str,
    "created_at": datetime,
}
CHECKPOINTS = (30, 90)  # as reflections.apply_queue.CHECKPOINTS; the table's CHECK holds them


def state_exporter(user, out):
    """A function activity → its extra keys, reading the user's rows in three queries."""
    badges = {
        b.activity_id: b
        for b in db.session.scalars(select(BadgeAssertion).where(BadgeAssertion.user_id == user.id))
    }
    captures = {
        c.activity_id: c.created_at
        for c in db.session.scalars(select(QuickCapture).where(QuickCapture.user_id == user.id))
    }
    dismissals: dict[int, list] = {}
    for row in db.session.scalars(
        select(ApplyPromptDismissal)
        .where(ApplyPromptDismissal.user_id == user.id)
        .order_by(ApplyPromptDismissal.checkpoint)
    ):
        dismissals.setdefault(row.activity_id, []).append(
            {"checkpoint": row.checkpoint, "dismissed_at": out(row.dismissed_at)}
        )

    def extra(activity) -> dict:
        badge = badges.get(activity.id)
        return {
            "badge": None
            if badge is None
            else {
                **{n: out(getattr(badge, n)) for n in BADGE_FIELDS},
                "alignment": list(badge.alignment or []),
            },
            "quick_capture": out(captures[activity.id]) if activity.id in captures else None,
            "apply_prompt_dismissals": dismissals.get(activity.id, []),
        }

    return extra


def import_state(user, activity_id: int, record: dict, read, where: str, dropped: list) -> None:
    """Add the badge, mark and dismissals of one new activity. `read` is account_import's reader;
    unsafe links are dropped and appended to `dropped` (where they were)."""
    badge = record.get("badge")
    if badge is not None:
        values = read.fields(badge, BADGE_FIELDS, f"{where}, badge", optional=("verified_at",))
        if values["issuer_url"] and not is_web_url(values["issuer_url"]):
            dropped.append(f"{where}, badge issuer")
            values["issuer_url"] = ""
        alignment = _alignment(badge.get("alignment", []), read, f"{where}, badge", dropped)
        db.session.add(
            BadgeAssertion(user_id=user.id, activity_id=activity_id, alignment=alignment, **values)
        )
    captured = record.get("quick_capture")
    if captured is not None:
        moment = read.convert(captured, datetime, f"{where}: “quick_capture”")
        db.session.add(QuickCapture(user_id=user.id, activity_id=activity_id, created_at=moment))
    for n, item in enumerate(read.list(record, "apply_prompt_dismissals", where), start=1):
        fields = read.fields(
            item, {"checkpoint": int, "dismissed_at": datetime}, f"{where}, dismissal {n}"
        )
        if fields["checkpoint"] not in CHECKPOINTS:
            raise read.bad(f"{where}, dismissal {n}: “checkpoint” has an invalid value.")
        db.session.add(ApplyPromptDismissal(user_id=user.id, activity_id=activity_id, **fields))


def _alignment(items, read, where: str, dropped: list) -> list[dict]:
    """Open Badges alignment objects: text values only; a non-http(s) targetUrl is dropped."""
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and all(isinstance(v, str) for v in i.values()) for i in items
    ):
        raise read.bad(f"{where}: “alignment” must be a list of objects with text values.")
    kept = []
    for item in items:
        url = item.get("targetUrl")
        if url and not is_web_url(url):
            dropped.append(f"{where} alignment")
            item = {**item, "targetUrl": ""}  # the shape the badge import gives: "" for none
        kept.append(item)
    return kept
