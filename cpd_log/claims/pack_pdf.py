"""The audit pack as a PDF: what is still to complete on the first page, the body's summary
(PMI's totals, APM's year summary and rules, PeopleCert's points per category), then every claim
with every field of the body's form in the body's order and its status, and for NMC-style the
reflective accounts, reflective discussion and confirmation in the template's layout.

Each claim lists its evidence files, and the ZIP holds them under the claim's folder. The pages of
its PDF certificates follow the page where the claim's section ends, bookmarked "Claim N: <name>":
a zero-size ClaimEnd after each claim notes that page while the document is laid out, then
pdf_evidence.insert_certificates writes the final PDF once. A certificate missing from storage or
unreadable is only named in the claim's lines.
"""

import tempfile
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from cpd_log.claims.packs import NMC_QUESTIONS, TO_COMPLETE, Pack, claim_folder, status_text
from cpd_log.documents import fonts, pdf_evidence
from cpd_log.documents.pdf import PAGE
from cpd_log.documents.pdf_flowables import plain_text
from cpd_log.documents.pdf_story import GRID, ROW_SPLIT_MIN, cell, para, styles
from cpd_log.models import Evidence

LABEL_WIDTH, VALUE_WIDTH = 55 * mm, 119 * mm
CLAIMS_TITLE = {"nmc": "CPD log", "rics": "CPD record"}
# The NMC's reflective discussion and confirmation forms, left blank for the people who sign them.
DISCUSSION_FIELDS = (
    "Name of the NMC registrant you had the discussion with",
    "Their NMC Pin",
    "Email address",
    "Date of the discussion",
    "Brief summary of the discussion",
    "Signature",
)
CONFIRMATION_FIELDS = (
    "Name of the confirmer",
    "Their NMC Pin or professional body and registration number",
    "Email address",
    "Professional address including postcode",
    "Date of confirmation",
    "Signature",
)


class ClaimEnd(Flowable):
    """Takes no room; notes the page it is drawn on, where its claim's section ends, so that the
    claim's PDF certificates can be placed right after that page."""

    def __init__(self, number: int, certificates: list[Evidence]):
        super().__init__()
        self.number, self.certificates = number, certificates
        self.page = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self) -> None:
        self.page = self.canv.getPageNumber()


def _rows(rows: list[tuple[str, str]], s) -> Table:
    """A two-column form: the body's label, then its value (blank lines where it is empty)."""
    small = s["small"]
    cells = [
        [cell(label, LABEL_WIDTH, small), cell(value, VALUE_WIDTH, small)] for label, value in rows
    ]
    table = Table(cells, colWidths=[LABEL_WIDTH, VALUE_WIDTH], splitInRow=ROW_SPLIT_MIN)
    table.setStyle(GRID)
    return table


def _to_complete(pack: Pack, s) -> list:
    story = [para("To complete", s["h2"])]
    missing = pack.to_complete()
    if not missing:
        return [*story, para("Nothing: every field of every claim has a value.", s["body"])]
    story.append(para("These fields of the body's form have no value in CPD Log yet:", s["body"]))
    return [*story, _rows([(title, f"{label}: to complete") for title, label in missing], s)]


def _summary(pack: Pack, s) -> list:
    scheme = pack.claims.view.scheme
    totals = pack.claims.totals
    story = [para("Summary", s["h2"])]
    rows = [
        ("Claimed", scheme.amount(totals.claimed)),
        ("To claim", scheme.amount(totals.to_claim)),
        ("Still needed", scheme.amount(totals.still_needed)),
    ]
    if totals.rejected:
        rows.append(("Rejected", scheme.amount(totals.rejected)))
    if pack.family == "apm":
        rows.insert(0, ("Activities in the year", str(len(pack.cards))))
    story.append(_rows(rows, s))
    if pack.family == "peoplecert":
        story.append(para("Points per category after the per-activity limits", s["h2"]))
        story.append(_rows(pack.points_by_category(), s))
    notes = pack.rule_notes()
    if notes:
        story.append(para("The scheme's rules", s["h2"]))
        story.extend(para(note, s["body"]) for note in notes)
    return story


def _claims(pack: Pack, s) -> list:
    """Each claim as the body's form, one field a line (set as plain lines, like the portfolio's
    activity details: a table per claim made a 1,000-claim pack twice as slow to lay out)."""
    story = [PageBreak(), para(CLAIMS_TITLE.get(pack.family, "Claims"), s["h1"])]
    for number, card in enumerate(pack.cards, start=1):
        lines = [f"{v.label}: {v.text or '(' + TO_COMPLETE + ')'}" for v in card.values]
        lines.append(f"Status: {status_text(card)}")
        folder = claim_folder(number, card)
        evidence = pack.evidence.get(card.activity.id, ())
        for item in evidence:
            if item.is_file:
                lines.append(f"Certificate: {item.label} (in the ZIP: {folder}/)")
            else:
                lines.append(f"Evidence link: {item.label} ({item.url})")
        story += [
            CondPageBreak(30 * mm),
            para(f"{number}. {card.activity.title}", s["h2"]),
            plain_text("\n".join(lines), s["body"]),
        ]
        certificates = [i for i in evidence if i.is_file and i.mime_type == "application/pdf"]
        if certificates:
            story.append(ClaimEnd(number, certificates))
    if not pack.cards:
        story.append(para("No activity counts in this cycle yet.", s["body"]))
    return story


def _nmc_forms(pack: Pack, s) -> list:
    """Reflective accounts (at least the five the NMC asks for, blank ones to fill in), then the
    reflective discussion and the confirmation, blank."""
    story = [PageBreak(), para("Reflective accounts", s["h1"])]
    for number, account in enumerate(pack.accounts, start=1):
        story.append(para(f"Reflective account {number}: {account.title}", s["h2"]))
        story.append(_rows([("Date", account.written_on.isoformat()), *account.answers], s))
    for number in range(len(pack.accounts) + 1, 6):
        story.append(para(f"Reflective account {number}", s["h2"]))
        story.append(_rows([("Date", ""), *((q, "") for q in NMC_QUESTIONS)], s))
    for title, fields in (
        ("Reflective discussion", DISCUSSION_FIELDS),
        ("Confirmation", CONFIRMATION_FIELDS),
    ):
        story += [para(title, s["h1"]), _rows([(f, "") for f in fields], s), Spacer(1, 6 * mm)]
    return story


def render(pack: Pack, out: BinaryIO) -> None:
    fonts.register()
    s = styles()
    view = pack.claims.view
    cycle = view.cycle
    title = f"Audit pack: {cycle.scheme_name}, cycle {cycle.number + 1}"
    story: list = [
        Paragraph(fonts.markup(title), s["h1"]),
        para(
            f"{cycle.start.isoformat()} – {cycle.end.isoformat()} · version {cycle.scheme_version}",
            s["body"],
        ),
    ]
    if pack.claims.vocabulary.source:
        story.append(
            para(f"Field names and activity types: {pack.claims.vocabulary.source}", s["small"])
        )
    story += _to_complete(pack, s) + _summary(pack, s) + _claims(pack, s)
    if pack.family == "nmc":
        story += _nmc_forms(pack, s)
    ends = [flowable for flowable in story if isinstance(flowable, ClaimEnd)]
    if not ends:
        SimpleDocTemplate(out, **PAGE, title=title).build(story)
        return
    with tempfile.TemporaryFile() as laid_out:
        SimpleDocTemplate(laid_out, **PAGE, title=title).build(story)
        laid_out.seek(0)
        inserts = [
            (end.page, f"Claim {end.number}: {item.label}", item)
            for end in ends
            for item in end.certificates
        ]
        pdf_evidence.insert_certificates(out, laid_out, inserts)
