"""The PDF's first page: the cover (title, owner, period), the sign-off, and "At a glance": each
cycle's rules (required, counted, met or short, as the rules engine says: portfolio.gather() puts
the engine's CycleView of a chosen cycle in `content.cycles`; else the owner's active cycles are
the dashboard's) and the hours per month stacked by kind (pdf_chart.py).
"""

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table, TableStyle

from cpd_log.documents.pdf_chart import monthly_chart, portfolio_series
from cpd_log.documents.pdf_flowables import Facts, heading
from cpd_log.documents.pdf_story import GLANCE, GRID, para
from cpd_log.portfolio.services import Content
from cpd_log.schemes import progress, rules
from cpd_log.templating import hours

SIGN_OFF_BLANK = "______________________________"


def cover(content: Content, s) -> list:
    """Title, owner, period, audience, generation date, then the sign-off."""
    portfolio = content.portfolio
    return [
        para(portfolio.title, s["title"]),
        para(content.owner.display_name, s["centre"]),
        para(f"Period: {content.period} · Audience: {portfolio.audience.label}", s["centre"]),
        para(f"Generated on {content.generated:%-d %B %Y}", s["centre"]),
        *sign_off(content, s),
    ]


def sign_off(content: Content, s) -> list:
    """Every recorded sign-off — an appraiser's inside the app (name, date, team, the period
    submitted) and a reviewer's through a share link; without one, a block to sign by hand."""
    story = [para("Sign-off", s["h2"])]
    for appraisal in content.appraisal_sign_offs:
        story.append(para(appraisal_line(appraisal), s["body"]))
    signed = [review for review in content.reviews if review.signed_off]
    for review in signed:
        who = ", ".join(part for part in (review.reviewer_name, review.reviewer_role) if part)
        story.append(para(f"Signed off by {who} on {review.created_at:%-d %b %Y}.", s["body"]))
    if not signed and not content.appraisal_sign_offs:
        story.append(para("Not signed off yet.", s["body"]))
        blanks = [(label, SIGN_OFF_BLANK) for label in ("Reviewer", "Role", "Date", "Signature")]
        story.append(Facts(blanks, s["body"]))
    return story


def appraisal_line(appraisal) -> str:
    """'Signed off by Bea Appraiser, appraiser for PMO Office, on 1 Dec 2026, for the period
    1 Jan 2026 – 31 Dec 2026 (PMP · Cycle 1 · …).'"""
    cycle = f" ({appraisal.cycle_label})" if appraisal.cycle_label else ""
    return (
        f"Signed off by {appraisal.appraiser_name}, appraiser for {appraisal.team_name}, "
        f"on {appraisal.decided_at:%-d %b %Y}, for the period {appraisal.period}{cycle}."
    )


def at_a_glance(content: Content, s) -> list:
    """Key figures, each cycle's rules and the monthly chart, with its figures as text."""
    story = [heading(GLANCE, s["h1"], 0, "glance")]
    reflections = len(content.reflection_list)
    story.append(
        para(
            f"{len(content.activities)} activities, {hours(content.total_minutes)} hours, "
            f"{reflections} reflective statement{'' if reflections == 1 else 's'}, "
            f"{len(content.evidence)} evidence item{'' if len(content.evidence) == 1 else 's'}.",
            s["body"],
        )
    )
    views = content.cycles
    if content.portfolio.cycle is None:  # no chosen cycle: the owner's active ones
        views = progress.dashboard_cycles(content.owner, content.generated)
    for view in views:
        story.extend(rules_table(view, s))
    series = portfolio_series(content)
    chart = [para("Hours per month (completed activities)", s["h2"]), monthly_chart(series)]
    story.append(KeepTogether(chart))
    return story


STATUS = {rules.MET: "Met", rules.UNMEASURED: "Not measured", rules.INFO: "Info"}


def rules_table(view, s) -> list:
    """One cycle's rules: required, counted (after caps) and met or short by how much."""
    cycle, scheme = view.cycle, view.scheme
    title = (
        f"{cycle.label} · Cycle {cycle.number + 1} · "
        f"{cycle.start:%-d %b %Y} – {cycle.end:%-d %b %Y}"
    )

    def amount(rule, minutes: int) -> str:
        return str(minutes) if rule.is_count else scheme.amount(minutes)

    rows = [["Rule", "Required", "Counted", "Status"]]
    for rule in view.progress.rules:
        status = STATUS.get(rule.status) or f"Short by {amount(rule, rule.needed)}"
        required = amount(rule, rule.target) if rule.target else "—"
        rows.append([para(rule.label, s["small"]), required, amount(rule, rule.counted), status])
    table = Table(rows, colWidths=[78 * mm, 30 * mm, 30 * mm, 32 * mm], repeatRows=1)
    table.setStyle(GRID)
    table.setStyle(TableStyle([("ALIGN", (1, 0), (2, -1), "RIGHT")]))
    return [para(f"{title} ({cycle.scheme_name})", s["h2"]), table]
