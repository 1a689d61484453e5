"""The PDF and ZIP of a portfolio as download responses, for the owner's and the reviewer's pages.

Rendered into a temporary file (large documents go to disk, not memory), sent as an attachment
that no cache keeps.
"""

import tempfile

from flask import send_file

from cpd_log.documents import bundle
from cpd_log.models import Portfolio
from cpd_log.portfolio import services


def pdf_response(portfolio: Portfolio):
    from cpd_log.documents import pdf  # ReportLab loads on first use, not at start-up

    return send_rendered(lambda out: pdf.render(services.gather(portfolio), out), portfolio, "pdf")


def zip_response(portfolio: Portfolio):
    return send_rendered(
        lambda out: bundle.write_zip(services.gather(portfolio), out), portfolio, "zip"
    )


def send_rendered(write, portfolio: Portfolio, extension: str):
    """Write into a temporary file (large documents go to disk, not memory) and send it."""
    # Not a context manager: send_file streams it and closes it when the response ends.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    write(output)
    output.seek(0)
    response = send_file(
        output,
        mimetype={"pdf": "application/pdf", "zip": "application/zip"}[extension],
        as_attachment=True,
        download_name=f"portfolio-{portfolio.id}.{extension}",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
