"""Measured in a fresh process (python -m tests.evidence.budget_probe …), so the peak resident
memory (ru_maxrss) belongs to the operation alone and not to whatever the test run did before.

    upload URL UPLOAD_DIR USER_ID ACTIVITY_ID SIDE   attach a SIDE × SIDE PNG, commit
    render URL UPLOAD_DIR PLAIN_ID IMAGE_ID          render portfolio PLAIN_ID, then IMAGE_ID

Prints one JSON line: the peak memory the step added (MB) and the seconds it took.
"""

import json
import resource
import sys
import tempfile
import time
import zlib

from cpd_log import create_app
from cpd_log.extensions import db


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def big_png(side: int) -> bytes:
    """A side × side RGB PNG (a gradient), written row by row so making it costs no memory."""
    header = side.to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    packer = zlib.compressobj(6)
    parts = []
    for y in range(side):
        row = bytes([y * 255 // side, 120, 200]) * side
        parts.append(packer.compress(b"\x00" + row))
    parts.append(packer.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def upload(user_id: str, activity_id: str, side: str) -> dict:
    from cpd_log.evidence import services
    from cpd_log.models import Activity, User

    data = big_png(int(side))
    user, activity = db.session.get(User, int(user_id)), db.session.get(Activity, int(activity_id))
    before, started = peak_mb(), time.perf_counter()
    services.attach_file(user, activity, services.Upload("scan.png", data))
    db.session.commit()
    return {"added_mb": peak_mb() - before, "seconds": time.perf_counter() - started}


def render(plain_id: str, image_id: str) -> dict:
    from cpd_log.documents import pdf
    from cpd_log.models import Portfolio
    from cpd_log.portfolio import services

    result = {}
    for name, portfolio_id in (("plain", plain_id), ("image", image_id)):
        content = services.gather(db.session.get(Portfolio, int(portfolio_id)))
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            pdf.render(content, out)
        result[name] = {"peak_mb": peak_mb(), "seconds": time.perf_counter() - started}
    result["added_mb"] = result["image"]["peak_mb"] - result["plain"]["peak_mb"]
    return result


def main() -> None:
    step, url, folder, *arguments = sys.argv[1:]
    app = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": folder})
    with app.app_context():
        print(json.dumps({"upload": upload, "render": render}[step](*arguments)))


if __name__ == "__main__":
    main()
