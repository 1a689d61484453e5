"""Portfolio tests get their own upload folder (evidence files are merged into PDFs and ZIPs)."""

import pytest


@pytest.fixture
def upload_dir(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def app(app_factory, upload_dir):
    app = app_factory(UPLOAD_DIR=str(upload_dir))
    with app.app_context():
        yield app
