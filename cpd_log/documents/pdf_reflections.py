"""The PDF's "Reflections by competency" section.

Reflection stages are Markdown. ReportLab's Paragraph parses its own XML-like markup, so the
Markdown is never turned into HTML here: markdown-it-py's token stream gives the text of each
block (paragraph, heading, list item, code) as runs with their emphasis, raw HTML blocks and tags
are dropped. A block without emphasis goes through `pdf_flowables.plain_text()` (drawn as plain
lines when the main face covers it); one with **bold** or *italic* becomes a Paragraph of runs,
each escaped by `fonts.markup()` and wrapped in <b>/<i> (the main face's bold and italic).
"""

from markdown_it import MarkdownIt
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph

from cpd_log.documents import fonts
from cpd_log.documents.fonts import markup
from cpd_log.documents.pdf_flowables import Facts, heading, plain_text
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS, stage_texts

_parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_INLINE_TEXT = {"text", "code_inline"}
_BREAKS = {"softbreak": " ", "hardbreak": "\n"}
_EMPHASIS = {"strong_open": "b", "em_open": "i", "strong_close": "b", "em_close": "i"}

Run = tuple[str, frozenset[str]]  # text, and its emphasis: {"b"}, {"i"}, both or none


def blocks(text: str) -> list[list[Run]]:
    """The Markdown's blocks (paragraph, heading, list item, code), each as runs of text with the
    emphasis (**bold**, *italic*) they carry; list items start with a bullet."""
    found: list[list[Run]] = []
    depth = 0  # list nesting: items get a bullet
    for token in _parser.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type in ("fence", "code_block"):
            found.append([(token.content.rstrip("\n"), frozenset())])
        elif token.type == "inline" and (runs := _runs(token.children or [])):
            bullet = "  " * (depth - 1) + "• " if depth else ""
            found.append([(bullet, frozenset()), *runs] if bullet else runs)
    return found


def _runs(children) -> list[Run]:
    runs: list[Run] = []
    emphasis: set[str] = set()
    for child in children:
        if child.type in _EMPHASIS:
            change = emphasis.add if child.type.endswith("_open") else emphasis.discard
            change(_EMPHASIS[child.type])
            continue
        words = child.content if child.type in _INLINE_TEXT else _BREAKS.get(child.type, "")
        if runs and runs[-1][1] == emphasis:
            runs[-1] = (runs[-1][0] + words, runs[-1][1])
        elif words:
            runs.append((words, frozenset(emphasis)))
    if runs:  # the block's outer spaces go, as they did from the plain text
        runs[0] = (runs[0][0].lstrip(), runs[0][1])
        runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
    return [run for run in runs if run[0]]


def _block(runs: list[Run], style: ParagraphStyle):
    """A block without emphasis is plain text (drawn as lines when it can be); one with emphasis a
    Paragraph whose emphasised runs are set in the main face's bold or italic."""
    if not any(emphasis for _, emphasis in runs):
        return plain_text("".join(words for words, _ in runs), style)
    fonts.register(fonts.BOLD)
    fonts.register(fonts.ITALIC)
    parts = []
    for words, emphasis in runs:
        text = markup(words)
        for tag in sorted(emphasis):
            text = f"<{tag}>{text}</{tag}>"
        parts.append(text)
    return Paragraph("".join(parts), style)


def _stage_style(s) -> ParagraphStyle:
    return ParagraphStyle("stage", parent=s["body"], fontSize=10.5, leading=14, spaceBefore=4)


def _stage(label: str, text: str, s) -> list:
    story = [plain_text(label, _stage_style(s))]
    story.extend(_block(runs, s["body"]) for runs in blocks(text))
    return story


def _reflection(reflection, content, s) -> list:
    model = REFLECTIVE_MODELS.get(reflection.model, REFLECTIVE_MODELS["free"])
    facts = [
        ("Model", model.name),
        ("Date", f"{reflection.reflected_on:%-d %b %Y}"),
        ("Activity", reflection.activity.title if reflection.activity else "—"),
        ("Competencies", "; ".join(c.label for c in reflection.competencies) or "—"),
    ]
    labels = [e.label for e in content.evidence_of_reflection(reflection)]
    if labels:
        facts.append(("Evidence", ", ".join(labels)))
    story = [
        CondPageBreak(30 * mm),
        heading(reflection.title, s["h2"], 2, f"reflection-{reflection.id}"),
        Facts(facts, s["body"]),
    ]
    for stage, text in stage_texts(model.key, reflection.stages or {}):
        if text:
            story.extend(_stage(stage.label, text, s))
    if reflection.applied_text:
        story.extend(_stage("How it was applied", reflection.applied_text, s))
    return story


def reflections(content, s) -> list:
    story = [PageBreak(), heading("Reflections by competency", s["h1"], 0, "reflections")]
    if not content.reflections:
        return [*story, Paragraph("No reflections are in this portfolio.", s["body"])]
    for competency, items in content.reflections.items():
        story.append(heading(competency, s["h2"], 1, None))
        for reflection in items:
            story.extend(_reflection(reflection, content, s))
    return story
