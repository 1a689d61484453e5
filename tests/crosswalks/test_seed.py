"""Seeding the shipped crosswalks: once, idempotent, new versions beside old ones."""

import json

import pytest
from sqlalchemy import func, select

from cpd_log.competencies.services import seed_frameworks
from cpd_log.crosswalks import services
from cpd_log.crosswalks.checking import CrosswalkError, shipped_crosswalk_files
from cpd_log.extensions import db
from cpd_log.models import Crosswalk, CrosswalkMapping


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(Crosswalk.id))),
        db.session.scalar(select(func.count(CrosswalkMapping.id))),
    )


def test_seeding_loads_every_file_once(app):
    seed_frameworks()
    first = services.seed_crosswalks()
    db.session.commit()
    assert all(created for _, created in first) and len(first) == len(shipped_crosswalk_files())
    counts = _counts()
    assert counts[1] > 150
    assert not any(created for _, created in services.seed_crosswalks())
    assert _counts() == counts


def test_seeding_before_the_frameworks_names_the_missing_framework(app):
    with pytest.raises(CrosswalkError, match="there is no framework"):
        services.seed_crosswalks()


def test_a_new_version_is_added_beside_the_old_and_an_unversioned_edit_is_refused(
    app, monkeypatch, tmp_path
):
    seed_frameworks()
    services.seed_crosswalks()
    path = next(p for p in shipped_crosswalk_files() if p.stem == "gapps-talent-triangle")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["mappings"][0]["to"] = "TT.WOW"  # edited, same version
    (tmp_path / path.name).write_text(json.dumps(data))
    monkeypatch.setattr(services, "shipped_crosswalk_files", lambda: [tmp_path / path.name])
    with pytest.raises(CrosswalkError, match="give it a new version"):
        services.seed_crosswalks()

    data["version"] = "1.1"
    (tmp_path / path.name).write_text(json.dumps(data))
    [(row, created)] = services.seed_crosswalks()
    assert created and row.version == "1.1" and row.mappings[0].to_code == "TT.WOW"
    versions = db.session.scalars(
        select(Crosswalk.version).where(Crosswalk.slug == "gapps-talent-triangle")
    )
    assert sorted(versions) == ["1.0", "1.1"]


def test_flask_seed_loads_the_crosswalks(app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "created: PMO framework crosswalk (1.0)" in result.output
    again = app.test_cli_runner().invoke(args=["seed"])
    assert "unchanged: PMO framework crosswalk (1.0)" in again.output
