"""A multipart form with one file, read from the request body in chunks straight to disk.

For uploads larger than MAX_CONTENT_LENGTH (an account backup holds the user's evidence): the
body is never parsed by Flask (request.files would spool it under the global limit); the text
fields must come before the file (the CSRF token is checked before a byte of the file is kept),
and the file is refused the moment it passes `limit`.
"""

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

CHUNK = 256 * 1024
FIELD_MAX = 4096  # a text field (the CSRF token) is short
MAX_PARTS = 8  # the token, the file, the submit button


class UploadRefused(ValueError):
    """The upload cannot be accepted; the message is for the user."""


def save_file(
    body: BinaryIO, content_type: str, target: Path, limit: int, fields_ok: Callable
) -> str:
    """Write the form's file to `target`; returns its name. `fields_ok(fields)` is called with
    the text fields before the file's first byte and raises UploadRefused to stop."""
    mimetype, options = parse_options_header(content_type or "")
    if mimetype != "multipart/form-data" or not options.get("boundary"):
        raise UploadRefused("Choose the file to import.")
    # The decoder's buffer holds one chunk and a partial boundary; a text field is capped below.
    decoder = MultipartDecoder(
        options["boundary"].encode(), max_form_memory_size=2 * CHUNK, max_parts=MAX_PARTS
    )
    state = {"fields": {}, "part": None, "buffer": [], "size": 0, "name": None}
    with target.open("wb") as out:
        while True:
            chunk = body.read(CHUNK)
            decoder.receive_data(chunk or None)
            if _events(decoder, state, out, (limit, fields_ok)) or not chunk:
                break
    if state["name"] is None or state["size"] == 0:
        raise UploadRefused("Choose the file to import.")
    return state["name"]


def _events(decoder: MultipartDecoder, state: dict, out: BinaryIO, checks: tuple) -> bool:
    """Handle the events decoded so far; True at the end of the form."""
    limit, fields_ok = checks
    event = decoder.next_event()
    while not isinstance(event, NeedData):
        if isinstance(event, Epilogue):
            return True
        if isinstance(event, Field):
            state["part"], state["buffer"] = event, []
        elif isinstance(event, File):
            if state["name"] is not None:
                raise UploadRefused("Send one file at a time.")
            fields_ok(state["fields"])
            state["part"], state["name"] = event, event.filename or "upload"
        elif isinstance(event, Data):
            _data(event, state, out, limit)
        event = decoder.next_event()
    return False


def _data(event: Data, state: dict, out: BinaryIO, limit: int) -> None:
    if isinstance(state["part"], File):
        state["size"] += len(event.data)
        if state["size"] > limit:
            raise UploadRefused(
                f"The file is larger than the {limit // (1024 * 1024)} MB your remaining storage"
                " allows. Delete some evidence first."
            )
        out.write(event.data)
        return
    state["buffer"].append(event.data)
    if sum(map(len, state["buffer"])) > FIELD_MAX:
        raise UploadRefused("The form is not valid.")
    if not event.more_data:
        text = b"".join(state["buffer"]).decode("utf-8", "replace")
        state["fields"][state["part"].name] = text
