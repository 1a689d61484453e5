"""The PDF's "Reflections by competency" section.

Reflection stages are Markdown. ReportLab's Paragraph parses its own XML-like markup, so the
Markdown is never turned into HTML here: markdown-it-py's token stream gives the plain text of each
block (paragraph, heading, list item, code), raw HTML blocks and tags are dropped, and each block
goes through `pdf_flowables.plain_text()`: drawn as plain lines when the main face covers it,
else escaped by `fonts.markup()` into a Paragraph.
"""

from markdown_it import MarkdownIt
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph

from cpd_log.documents.pdf_flowables import heading, plain_text
from cpd_log.reflections.reflective_models import REFLECTIVE_MODELS, stage_texts

_parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_INLINE_TEXT = {"text", "code_inline"}
_BREAKS = {"softbreak": " ", "hardbreak": "\n"}


def plain_blocks(text: str) -> list[str]:
    """The Markdown's blocks as plain text: one string per paragraph, heading, item or code."""
    blocks: list[str] = []
    depth = 0  # list nesting: items get a bullet
    for token in _parser.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "inline":
            words = "".join(
                child.content if child.type in _INLINE_TEXT else _BREAKS.get(child.type, "")
                for child in token.children or []
            ).strip()
            if words:
                blocks.append(("  " * (depth - 1) + "• " if depth else "") + words)
    return blocks


def _stage_style(s) -> ParagraphStyle:
    return ParagraphStyle("stage", parent=s["body"], fontSize=10.5, leading=14, spaceBefore=4)


def _stage(label: str, text: str, s) -> list:
    story = [plain_text(label, _stage_style(s))]
    story.extend(plain_text(block, s["body"]) for block in plain_blocks(text))
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
        plain_text("\n".join(f"{k}: {v}" for k, v in facts), s["small"]),
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
