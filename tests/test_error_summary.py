"""A failed save of any form, whatever its view calls it, titles the page "Error: " and lists
each error as a link to its field (issue 14, defect 6; the focus is checked in
tests/browser/test_error_summary.py)."""

import io
import re

import pytest


def summary_links(page: str) -> list[tuple[str, str]]:
    box = page.split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a class="alert-link" href="#([^"]+)">([^<]+)</a>', box)


@pytest.mark.parametrize(
    ("path", "data", "title", "link"),
    [
        # `form`
        ("/log/", {"kind": "course", "hours": "1"}, "Log it now", ("title", "What did you do?: ")),
        # `badge_form`, beside two other upload forms on the page
        (
            "/imports/badge",
            {"kind": "course", "hours": "2", "badge": (io.BytesIO(b""), "")},
            "Import",
            (
                "badge",
                "Open Badge (.json, signed .jwt, or baked .png or .svg): Choose a badge file.",
            ),
        ),
        # `backup_form`, beside the restore form (which is named `form`)
        (
            "/export/account",
            {"password": "not-the-password"},
            "Export and import",
            ("password", "Your password: That is not your password."),
        ),
    ],
)
def test_failed_save_titles_the_page_and_links_each_error(logged_in, path, data, title, link):
    response = logged_in.post(path, data=data, content_type="multipart/form-data")
    page = response.data.decode()
    assert response.status_code in (200, 400)
    assert f"<title>Error: {title} · CPD Log</title>" in page
    assert page.count('data-testid="error-summary"') == 1
    field_id, text = link
    assert any(href == field_id and shown.startswith(text) for href, shown in summary_links(page))
    assert f'id="{field_id}"' in page  # the link leads somewhere


def test_a_page_without_a_failed_form_has_neither(logged_in):
    page = logged_in.get("/imports/").data.decode()
    assert "<title>Import · CPD Log</title>" in page
    assert 'data-testid="error-summary"' not in page
