"""The development outbox: without MAIL_SERVER, every mail is printed on the console and kept
as an .eml file in MAIL_OUTBOX_DIR, which /dev/outbox lists (newest first). Files, not memory,
so mails sent by any worker or by a command show up."""

import re
import secrets
import time
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import current_app
from flask_mailman.backends.console import EmailBackend as ConsoleBackend

# The outbox page lists this many of the newest mails.
SHOWN = 50
_LINK = re.compile(r"https?://[^\s<>\"']+")


class EmailBackend(ConsoleBackend):
    """Flask-Mailman's console backend that also files each message in the outbox folder."""

    def write_message(self, message) -> None:
        super().write_message(message)
        folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{secrets.token_hex(4)}.eml"
        (folder / name).write_bytes(message.message().as_bytes())


@dataclass(frozen=True)
class OutboxMail:
    subject: str
    to: str
    date: str
    text: str
    links: list[str]


def recent(folder: Path, limit: int = SHOWN) -> list[OutboxMail]:
    """The newest `limit` mails in the outbox folder."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [read(path) for path in files]


def read(path: Path) -> OutboxMail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    part = message.get_body(preferencelist=("plain",))
    text = part.get_content() if part is not None else ""
    return OutboxMail(
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        date=str(message["Date"] or ""),
        text=text,
        links=_LINK.findall(text),
    )
