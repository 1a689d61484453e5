"""What hangs off an activity besides its fields, in the account backup (format version 2):
its verified badge, its quick-capture mark ("still to complete") and the "How did you apply it?"
prompts the user dismissed.

Version 1 files have none of these keys; they import with no badge, no mark, no dismissals.
A badge's links (issuer, alignment targets) are kept only when they are http(s): a `javascript:`
or `data:` address in an imported file is dropped and counted (common/web_urls.is_web_url).
"""

from sqlalchemy import select

from cpd_log.account.account_format import record
from cpd_log.account.codec import Reader, write
from cpd_log.account.transfer import BadFile
from cpd_log.common.web_urls import is_web_url
from cpd_log.extensions import db
from cpd_log.models import ApplyPromptDismissal, BadgeAssertion, QuickCapture

CHECKPOINTS = (30, 90)  # as reflections.apply_queue.CHECKPOINTS; the table's CHECK holds them


def state_exporter(user):
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
        dismissals.setdefault(row.activity_id, []).append(write(record("dismissal"), row))

    def extra(activity) -> dict:
        badge = badges.get(activity.id)
        return {
            "badge": None
            if badge is None
            else write(record("badge"), badge, alignment=list(badge.alignment or [])),
            "quick_capture": captures.get(activity.id),
            "apply_prompt_dismissals": dismissals.get(activity.id, []),
        }

    return extra


def import_state(user, activity_id: int, values: dict, reader: Reader, where: str) -> None:
    """Add the badge, mark and dismissals of one new activity (`values`: the activity as
    `reader` read it); unsafe links are dropped and noted (where they were)."""
    dropped = reader.notes.dropped
    if values["badge"] is not None:
        badge = reader.read("badge", values["badge"], f"{where}, badge")
        if badge["issuer_url"] and not is_web_url(badge["issuer_url"]):
            dropped.append(f"{where}, badge issuer")
            badge["issuer_url"] = ""
        alignment = _alignment(badge["alignment"], f"{where}, badge", dropped)
        db.session.add(
            BadgeAssertion(
                user_id=user.id,
                activity_id=activity_id,
                alignment=alignment,
                **record("badge").columns(badge),
            )
        )
    if values["quick_capture"] is not None:
        moment = values["quick_capture"]
        db.session.add(QuickCapture(user_id=user.id, activity_id=activity_id, created_at=moment))
    dismissals = values["apply_prompt_dismissals"]
    for place, _, dismissal in reader.each("dismissal", dismissals, f"{where}, dismissal"):
        if dismissal["checkpoint"] not in CHECKPOINTS:
            raise BadFile(f"{place}: “checkpoint” has an invalid value.")
        db.session.add(ApplyPromptDismissal(user_id=user.id, activity_id=activity_id, **dismissal))


def _alignment(items, where: str, dropped: list) -> list[dict]:
    """Open Badges alignment objects: text values only; a non-http(s) targetUrl is dropped."""
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and all(isinstance(v, str) for v in i.values()) for i in items
    ):
        raise BadFile(f"{where}: “alignment” must be a list of objects with text values.")
    kept = []
    for item in items:
        url = item.get("targetUrl")
        if url and not is_web_url(url):
            dropped.append(f"{where} alignment")
            item = {**item, "targetUrl": ""}  # the shape the badge import gives: "" for none
        kept.append(item)
    return kept
