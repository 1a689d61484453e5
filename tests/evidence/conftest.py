"""Evidence tests get their own upload folder, so files can be counted."""

import pytest


@pytest.fixture
def upload_dir(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def app(app_factory, upload_dir):
    app = app_factory(UPLOAD_DIR=str(upload_dir))
    with app.app_context():
        yield app


def stored_files(upload_dir) -> list:
    return sorted(p for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.exists() else []
