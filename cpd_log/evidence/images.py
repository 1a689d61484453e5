"""Images at the door: refuse a decompression bomb before decoding it, and make, once, the small
copy the portfolio PDF places instead of the original.

A 7000×7000 PNG is 49 megapixels: decoded it is 147 MB (RGB), and ReportLab used to decode it
again for every portfolio PDF that held it, adding ~720 MB to each render, a reviewer's too. Now
an image larger than RENDITION_SIDE on its long side is decoded once, at upload, and scaled to a
JPEG rendition (a stored blob of its own, removed with its evidence); the PDF embeds that JPEG
as it is, without decoding it. The original stays untouched for download: evidence must remain
what the user uploaded.

Budget (tests/evidence/test_image_budget.py measures both in fresh processes):
- upload: the size is read from the header first; over EVIDENCE_MAX_PIXELS the file is refused
  without decoding. Under it the decode costs at most 4 bytes a pixel once (Pillow keeps RGB in
  4), plus the copy reduced by an integer factor before the final resize:
  ≤ 4 × EVIDENCE_MAX_PIXELS + 60 MB. Measured for 7000 × 7000: +231 MB, 0.6 s, once.
- PDF render: an image adds less than RENDER_BUDGET_MB to the render's peak memory. Measured for
  the same 7000 × 7000 PNG: +38 MB and 0.13 s (before: +466 MB and 1.4 s, in every render).
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from cpd_log.evidence.sniffing import Refused

if TYPE_CHECKING:
    from PIL import Image

# The long side of the PDF's copy: the appendix places images at most 170 × 220 mm, so 2000 px
# is ~300 dpi there, as sharp as print needs.
RENDITION_SIDE = 2000
RENDITION_QUALITY = 85
# What one 7000×7000 image may add to a portfolio PDF render's peak memory (was ~720 MB).
RENDER_BUDGET_MB = 100
# Images that may need a rendition, by the MIME type sniffing gave them.
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def rendition(data: bytes, max_pixels: int) -> bytes | None:
    """The JPEG the PDF places instead of an image larger than RENDITION_SIDE, or None when the
    original is small enough to place (or Pillow cannot decode it: it is kept for download and
    the PDF lists it without placing it). Refused when it has more than `max_pixels`."""
    from PIL import Image  # Pillow loads with the first image, not at start-up

    try:
        with warnings.catch_warnings():
            # Pillow's own guard warns above Image.MAX_IMAGE_PIXELS and raises above twice that;
            # either way the answer is the same refusal as ours, never an error page.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                _check_pixels(image.size, max_pixels)
                if max(image.size) <= RENDITION_SIDE:
                    return None
                return _scaled(image)
    except Refused:
        raise  # a ValueError too, but not a damaged file
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(_too_many_pixels_message(max_pixels)) from None
    except (OSError, ValueError, SyntaxError):  # truncated or undecodable: keep, do not place
        return None


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise Refused(
            f"The image is {width:,} × {height:,} pixels; images can have at most "
            f"{max_pixels / 1_000_000:g} megapixels. Reduce its size and attach it again."
        )


def _too_many_pixels_message(max_pixels: int) -> str:
    return (
        f"The image has too many pixels (the limit is {max_pixels / 1_000_000:g} megapixels). "
        "Reduce its size and attach it again."
    )


def _scaled(image: Image.Image) -> bytes:
    """Reduced in steps (JPEG decodes straight at 1/2…1/8 scale), turned upright as its EXIF
    orientation says (a phone photo is stored sideways with a note to turn it), flattened onto
    white (the page colour) and saved as JPEG, which ReportLab embeds without decoding."""
    from PIL import Image, ImageOps

    image.thumbnail((RENDITION_SIDE, RENDITION_SIDE), Image.Resampling.LANCZOS, reducing_gap=1.0)
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=RENDITION_QUALITY, optimize=True)
    return out.getvalue()
