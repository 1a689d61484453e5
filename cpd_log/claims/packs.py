"""An audit pack's content for one cycle: the claim list's cards (every field of the body's form,
in the body's order), each claim's status and evidence files, what is still to complete, and what
the body's own layout adds (PeopleCert's points per category, APM's rules, NMC's reflective
accounts). pack_pdf.py and pack_files.py write it out; this module only reads."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cpd_log.claims.cards import Card
from cpd_log.claims.choices import ClaimState
from cpd_log.claims.services import ClaimList, claim_list
from cpd_log.documents.bundle import safe_name
from cpd_log.extensions import db
from cpd_log.models import Evidence, Reflection
from cpd_log.models.scheme import Cycle
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS, stage_texts

# The layouts a pack knows, by the first word of the scheme's slug ("pmi-pmp" -> "pmi").
FAMILIES = ("pmi", "apm", "peoplecert", "nmc", "rics")
TO_COMPLETE = "to complete"


@dataclass(frozen=True)
class Account:
    """One reflective account in the NMC template's layout (its four questions, in order)."""

    title: str
    written_on: date
    answers: tuple[tuple[str, str], ...]


# The NMC's reflective accounts form asks these four questions; CPD Log holds no "link to the
# Code", so that answer is left for the nurse to write (listed as to complete).
NMC_QUESTIONS = (
    "What was the nature of the CPD activity and/or practice-related feedback and/or event or "
    "experience in your practice?",
    "What did you learn from the CPD activity and/or feedback and/or event or experience in "
    "your practice?",
    "How did you change or improve your practice as a result?",
    "How is this relevant to the Code?",
)


@dataclass(frozen=True)
class Pack:
    cycle: Cycle
    claims: ClaimList
    family: str  # one of FAMILIES, or "" for CPD Log's own layout
    evidence: dict[int, list[Evidence]]  # activity id -> its evidence, oldest first
    accounts: list[Account] = field(default_factory=list)

    @property
    def cards(self) -> list[Card]:
        return self.claims.cards

    def to_complete(self) -> list[tuple[str, str]]:
        """(activity or account title, field label) of every empty value of every claim and
        every reflective account."""
        missing = [
            (card.activity.title, value.label)
            for card in self.cards
            for value in card.values
            if not value.text
        ]
        missing += [
            (account.title, question)
            for account in self.accounts
            for question, answer in account.answers
            if not answer
        ]
        return missing

    def points_by_category(self) -> list[tuple[str, str]]:
        """(category name, figure) after the per-activity limits: the sum of the cards' shares."""
        minutes: dict[str, int] = defaultdict(int)
        for card in self.cards:
            for code, counted in card.shares:
                minutes[code] += counted
        scheme = self.claims.view.scheme
        return [
            ((c.name if (c := scheme.category(code)) else code), scheme.figure(total))
            for code, total in minutes.items()
        ]

    def rule_notes(self) -> list[str]:
        """Each count rule of the scheme ("More than one activity": 2 needed, 3 counted)."""
        return [
            f"{rule.label}: {rule.target} needed, {rule.counted} counted"
            + (" (met)" if rule.status == "met" else "")
            for rule in self.claims.view.progress.rules
            if rule.code != "total" and rule.target and rule.code in _count_rule_codes(self.cycle)
        ]


def _count_rule_codes(cycle: Cycle) -> set[str]:
    return {rule["code"] for rule in cycle.scheme.content.get("count_rules") or ()}


def status_text(card: Card) -> str:
    """A claim's status as the pack prints it (the same words as the claim list)."""
    status = card.status
    if status.state is ClaimState.CLAIMED:
        reference = f" (reference {status.reference})" if status.reference else ""
        day = f" on {status.claimed_on.isoformat()}" if status.claimed_on else ""
        return f"Claimed{day}{reference}"
    if status.state is ClaimState.REJECTED:
        return f"Rejected: {status.reason}"
    return ClaimState.TO_CLAIM.label


def family_of(cycle: Cycle) -> str:
    first = cycle.scheme.slug.split("-")[0]
    return first if first in FAMILIES else ""


def gather(user, cycle: Cycle, today: date) -> Pack:
    """The pack of the user's cycle: one query for the claim list's counting and details (see
    services.claim_list), one for the evidence, one for the reflections (NMC only)."""
    claims = claim_list(user, cycle, today)
    ids = [card.activity.id for card in claims.cards]
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in db.session.scalars(
        select(Evidence)
        .where(Evidence.user_id == user.id, Evidence.activity_id.in_(ids))
        .order_by(Evidence.id)
    ):
        evidence[item.activity_id].append(item)
    family = family_of(cycle)
    accounts = _accounts(user, cycle) if family == "nmc" else []
    return Pack(cycle, claims, family, dict(evidence), accounts)


def _accounts(user, cycle: Cycle) -> list[Account]:
    """The cycle's written reflections (drafts are not accounts) in the NMC template's layout."""
    rows = db.session.scalars(
        select(Reflection)
        .options(selectinload(Reflection.activity))
        .where(
            Reflection.user_id == user.id,
            Reflection.is_draft.is_(False),
            Reflection.reflected_on >= cycle.start_date,
            Reflection.reflected_on <= cycle.end_date,
        )
        .order_by(Reflection.reflected_on, Reflection.id)
    )
    accounts = []
    for reflection in rows:
        model = REFLECTIVE_MODELS.get(reflection.model, REFLECTIVE_MODELS["free"])
        learned = "\n\n".join(
            text for _, text in stage_texts(model.key, reflection.stages or {}) if text
        )
        nature = reflection.activity.title if reflection.activity else reflection.title
        answers = (nature, learned, reflection.applied_text or "", "")
        accounts.append(
            Account(
                reflection.title,
                reflection.reflected_on,
                tuple(zip(NMC_QUESTIONS, answers, strict=True)),
            )
        )
    return accounts


def claim_folder(number: int, card: Card) -> str:
    """The ZIP folder of a claim's evidence (the PDF's certificate index names it too)."""
    return f"claims/{number:03d}-{safe_name(card.activity.title)}"
