"""What the competency picker offers first (issue 14, Deliver 1): the competencies the user
tagged most recently, and those the user tagged on past activities whose titles share a word with
the title being typed. One query, whatever the history: the newest tag rows, scored here."""

import re
from collections import Counter

from sqlalchemy import select

from cpd_log.extensions import db
from cpd_log.models import Activity
from cpd_log.models.activity import activity_competency

HISTORY_ROWS = 2000  # the newest tag rows consulted (activity, competency pairs)
RECENT = 6
SUGGESTED = 6
STEM = 5  # words match on their first five letters: "influence" finds "influencing"
# Words too common in CPD titles to say anything about the subject.
STOP_WORDS = frozenset(
    {"about", "after", "course", "from", "into", "meeting", "module", "online", "session", "this"}
    | {"training", "webinar", "with", "workshop", "your"}
)


def title_stems(title: str) -> set[str]:
    """The stems of a title's words of four letters or more, common ones left out."""
    words = re.findall(r"[^\W\d_]{4,}", (title or "").casefold())
    return {word[:STEM] for word in words if word not in STOP_WORDS}


def picker_hints(user, title: str = "") -> dict[str, list]:
    """{"recent": ids, "suggested": ids, "stems": the title's} for the user, the suggestions ranked
    by how many past activities with a word of `title` carry each competency. The page's script
    matches the stems against competency names too, so the stop words live here only."""
    rows = db.session.execute(
        select(Activity.title, activity_competency.c.competency_id)
        .join(activity_competency, activity_competency.c.activity_id == Activity.id)
        .where(Activity.user_id == user.id)
        .order_by(Activity.start_date.desc(), Activity.id.desc())
        .limit(HISTORY_ROWS)
    ).all()
    recent = list(dict.fromkeys(competency_id for _, competency_id in rows))[:RECENT]
    stems = title_stems(title)
    votes: Counter[int] = Counter()
    if stems:
        for past_title, competency_id in rows:
            shared = len(stems & title_stems(past_title))
            if shared:
                votes[competency_id] += shared
    return {
        "recent": recent,
        "suggested": [cid for cid, _ in votes.most_common(SUGGESTED)],
        "stems": sorted(stems),
    }
