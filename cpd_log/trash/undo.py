"""The message every delete shows: what went, and an "Undo" button (a POST of the delete's batch,
templates/trash/_undo.html) that restores exactly that batch for UNDO_SECONDS."""

from flask import flash

UNDO = "undo"  # the flash category base.html renders with the button


def flash_deleted(text: str, batch: str) -> None:
    flash({"text": text, "batch": batch}, UNDO)
