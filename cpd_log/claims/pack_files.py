"""The audit pack's CSV (one row per claim, the body's fields as headers) and ZIP (the PDF, the
CSV, each claim's evidence files in the claim's folder, and a MANIFEST of SHA-256 like the
portfolio bundle's, so a reviewer can check nothing changed)."""

import csv
import io
from typing import BinaryIO

from cpd_log.claims.packs import Pack, claim_folder, status_text
from cpd_log.common.spreadsheet_safety import neutralise
from cpd_log.documents.bundle import ManifestZip, safe_name

STATUS_HEADERS = ("Status", "Claimed on", "The body's reference", "Why it was rejected")


def pack_csv(pack: Pack) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read it as UTF-8), every cell formula-safe. The
    headers are the body's fields in its order; a field with a figure per category has a column
    per category any claim has (a claim without a share there has an empty cell)."""
    labels: list[str] = []
    for card in pack.cards:
        labels += [v.label for v in card.values if v.label not in labels]
    if not pack.cards:
        labels = [f.label for f in pack.claims.vocabulary.fields]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(label) for label in (*labels, *STATUS_HEADERS)])
    for card in pack.cards:
        values = {v.label: v.text for v in card.values}
        status = card.status
        claimed = status.claimed_on.isoformat() if status.claimed_on else ""
        row = [values.get(label, "") for label in labels]
        row += [status_text(card), claimed, status.reference, status.reason]
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_zip(pack: Pack, out: BinaryIO) -> list[str]:
    """Write the pack's ZIP to `out`; returns the member names (MANIFEST last). A file missing
    from storage is left out and named in MISSING.txt."""
    from cpd_log.claims import pack_pdf  # ReportLab loads on first use, not at start-up

    with ManifestZip(out) as bundle:
        bundle.add_rendered("audit-pack.pdf", lambda rendered: pack_pdf.render(pack, rendered))
        bundle.add("claims.csv", pack_csv(pack))
        for number, card in enumerate(pack.cards, start=1):
            folder = claim_folder(number, card)
            for n, item in enumerate(pack.evidence.get(card.activity.id, ()), start=1):
                if item.is_file:
                    bundle.add_evidence(f"{folder}/{n:02d}-{safe_name(item.original_name)}", item)
        bundle.add_missing_list()
    return bundle.names
