"""The text chunks of a PNG, read without decoding a single pixel. Pure.

A baked Open Badge carries its assertion in an iTXt (or tEXt/zTXt) chunk keyed "openbadges"
(Open Badges 2.0, baking). Pillow decodes every pixel to reach a chunk placed after the image
data (a 140 KB PNG of 12,000 × 12,000 pixels cost 140 MB, 30,000² answered a 500), and inflates
compressed text with a bound of its own choosing. Walking the chunks costs nothing per pixel.

Budget: MAX_CHUNKS chunks, each checked against the bytes left and its CRC, compressed text
inflated to at most the caller's `max_text` bytes; time and memory grow with the file only
(measured in tests/imports/test_budgets.py: < 0.1 s and < 20 MB for an 8 MB upload).
"""

import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CHUNKS = 10_000


class PngError(ValueError):
    """Damaged, or over budget; the message is for the user."""


def find_text(data: bytes, keyword: str, max_text: int) -> str | None:
    """The text stored under `keyword`, or None when the PNG has none."""
    if not data.startswith(SIGNATURE):
        raise PngError("This is not a PNG image.")
    position, count = len(SIGNATURE), 0
    while position < len(data):
        kind, body, position = _chunk(data, position)
        count += 1
        if count > MAX_CHUNKS or (count == 1 and kind != b"IHDR"):
            raise PngError("The PNG image is damaged and could not be read.")
        if kind == b"IEND":
            return None
        name, _, rest = body.partition(b"\x00")
        if kind in (b"tEXt", b"zTXt", b"iTXt") and name.decode("latin-1") == keyword:
            return _text(kind, rest, max_text)
    raise PngError("The PNG image is damaged and could not be read.")


def _chunk(data: bytes, position: int) -> tuple[bytes, bytes, int]:
    if position + 12 > len(data):
        raise PngError("The PNG image is damaged and could not be read.")
    length = int.from_bytes(data[position : position + 4], "big")
    end = position + 8 + length
    if end + 4 > len(data):
        raise PngError("The PNG image is damaged and could not be read.")
    kind, body = data[position + 4 : position + 8], data[position + 8 : end]
    if zlib.crc32(kind + body).to_bytes(4, "big") != data[end : end + 4]:
        raise PngError("The PNG image is damaged and could not be read.")
    return kind, body, end + 4


def _text(kind: bytes, rest: bytes, max_text: int) -> str:
    try:
        if kind == b"tEXt":
            return _bounded(rest, max_text).decode("latin-1")
        if kind == b"zTXt":
            return _inflate(rest[1:], max_text).decode("latin-1")
        compressed = rest[:1] == b"\x01"
        _language, _, rest = rest[2:].partition(b"\x00")
        _translated, _, text = rest.partition(b"\x00")
        text = _inflate(text, max_text) if compressed else _bounded(text, max_text)
        return text.decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        raise PngError("The badge data inside the image is damaged.") from None


def _bounded(text: bytes, max_text: int) -> bytes:
    if len(text) > max_text:
        raise PngError("The badge data inside the image is far larger than a badge.")
    return text


def _inflate(compressed: bytes, max_text: int) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(compressed, max_text + 1)
    if len(text) > max_text or inflater.unconsumed_tail:
        raise PngError("The badge data inside the image is far larger than a badge.")
    return text
