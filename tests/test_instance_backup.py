"""Whole-instance backup and restore, run the way the README says: `flask --app cpd_log backup` /
`restore` in subprocesses configured by environment variables (production configuration), on
SQLite — or on PostgreSQL when CPD_LOG_TEST_DATABASE_URL is set (each instance is a new database).
"""

import hashlib
import io
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, event, inspect, text

from cpd_log import create_app
from cpd_log.extensions import db
from cpd_log.instance_backup.archive import ArchiveRefused, Reader
from cpd_log.instance_backup.services import BackupError, restore_backup
from tests.database import TEST_DATABASE_URL, scratch_database

FLASK = str(Path(sys.executable).with_name("flask"))
SECRET_KEY = secrets.token_hex(32)  # production refuses keys under 32 bytes
EMAIL, PASSWORD = "ada@example.com", "tolerable-Quokka-87-harbour"
OLD_REVISION = "04ecdb6a7db2"  # an ancestor of every later head, with all counted tables


@dataclass
class Instance:
    url: str
    uploads: Path

    def flask(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [FLASK, "--app", "cpd_log", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def setup(self, *args: str) -> None:
        """A set-up step (`db upgrade`, `seed`, `create-user`, `demo`) run in this process: the
        same command as `flask …` without a new interpreter's start-up. What is under test here,
        `backup` and `restore`, always runs as a subprocess configured from the environment."""
        app = self.app()
        with app.app_context():  # as `flask` pushes one for every command
            result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
            db.session.remove()
            db.engine.dispose()
        assert result.exit_code == 0, result.output

    def env(self) -> dict:
        return {
            **os.environ,
            "CPD_LOG_CONFIG": "production",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": self.url,
            "UPLOAD_DIR": str(self.uploads),
        }

    def sql(self, query: str) -> list[tuple]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(query))]
        finally:
            engine.dispose()

    def table_counts(self) -> dict[str, int]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                names = inspect(connection).get_table_names()
                quote = connection.dialect.identifier_preparer.quote
                return {
                    name: connection.scalar(text(f"SELECT count(*) FROM {quote(name)}"))  # noqa: S608
                    for name in names
                }
        finally:
            engine.dispose()

    def files(self) -> dict[str, bytes]:
        if not self.uploads.exists():
            return {}
        return {
            p.relative_to(self.uploads).as_posix(): p.read_bytes()
            for p in sorted(self.uploads.rglob("*"))
            if p.is_file() and ".exports" not in p.parts and not p.name.endswith(".part")
        }

    def app(self):
        return create_app(
            "testing",
            overrides={"SQLALCHEMY_DATABASE_URI": self.url, "UPLOAD_DIR": str(self.uploads)},
        )


def _new_instance(stack: ExitStack, folder: Path) -> Instance:
    folder.mkdir(parents=True)
    url = stack.enter_context(scratch_database(folder))
    return Instance(url, folder / "uploads")


@pytest.fixture
def new_instance(tmp_path):
    """new_instance(): an empty instance (database not even migrated) with its upload folder."""
    with ExitStack() as stack:
        names = iter(range(100))
        yield lambda: _new_instance(stack, tmp_path / f"instance{next(names)}")


def _noise_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def upload_evidence(instance: Instance, files: list[tuple[str, bytes]]) -> None:
    """Attach files to the demo account's first activities through the app's upload form."""
    app = instance.app()
    activity_ids = [row[0] for row in instance.sql("SELECT id FROM activity ORDER BY id")]
    with app.app_context():
        client = app.test_client()
        client.post(
            "/account/login", data={"email": "demo@example.com", "password": "demo-password"}
        )
        for activity_id, (name, data) in zip(activity_ids, files, strict=False):
            response = client.post(
                f"/evidence/activity/{activity_id}/new",
                data={"title": name, "file": (io.BytesIO(data), name)},
                content_type="multipart/form-data",
            )
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
        db.session.remove()
        db.engine.dispose()


def populate(instance: Instance, activities: int = 40, files=None) -> None:
    instance.setup("db", "upgrade")
    instance.setup("seed")
    instance.setup("create-user", "--email", EMAIL, "--name", "Ada", "--password", PASSWORD)
    instance.setup("demo", "--activities", str(activities))
    files = files or [
        ("notes.txt", b"What I learned about benefits mapping.\n"),
        ("slide.png", _noise_png(48)),
    ]
    upload_evidence(instance, files)
    # Transient and half-written files the backup must leave out.
    (instance.uploads / ".exports").mkdir(parents=True, exist_ok=True)
    (instance.uploads / ".exports" / "job.pdf").write_bytes(b"%PDF-1.7 old export")
    user_folder = next(p for p in instance.uploads.iterdir() if p.name.isdigit())
    (user_folder / ".abc.123.part").write_bytes(b"half")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A populated instance and its backup archive, shared by the read-only tests."""
    folder = tmp_path_factory.mktemp("source")
    with ExitStack() as stack:
        instance = _new_instance(stack, folder / "instance")
        populate(instance)
        # A file lost before the backup (defect 4 of issue 10 could do that): listed, not fatal.
        user_id, digest = instance.sql("SELECT user_id, sha256 FROM evidence ORDER BY id")[-1]
        (instance.uploads / str(user_id) / digest).unlink()
        archive = folder / "backup.tar"
        done = instance.flask("backup", str(archive))
        yield instance, archive, done.stdout


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("MANIFEST.json").read())


def assert_same_instance(restored: Instance, original: Instance) -> None:
    assert restored.table_counts() == original.table_counts()
    for query in (
        'SELECT id, email, display_name, password_hash FROM "user" ORDER BY id',
        "SELECT id, user_id, title, minutes, start_date FROM activity ORDER BY id",
        "SELECT id, activity_id, sha256, original_name, size_bytes FROM evidence ORDER BY id",
        "SELECT id, slug, version FROM framework ORDER BY id",
    ):
        assert restored.sql(query) == original.sql(query), query
    assert restored.files() == original.files()


def test_restore_into_a_fresh_instance_gives_the_same_instance(source, new_instance):
    original, archive, output = source
    manifest = manifest_of(archive)
    assert manifest["format_version"] == 1 and manifest["database"]["kind"] in output
    # Ada and the demo account, and the demo team's four colleagues (cpd_log/teams/demo.py).
    assert manifest["counts"]["evidence"] == 2 and manifest["counts"]["users"] == 6
    assert {entry["path"] for entry in manifest["skipped"]} >= {".exports/"}
    assert any(e["path"].endswith(".abc.123.part") for e in manifest["skipped"])
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # it holds password hashes
    (user_id, digest) = original.sql("SELECT user_id, sha256 FROM evidence ORDER BY id")[-1]
    assert manifest["missing_evidence_files"] == [f"{user_id}/{digest}"]
    assert "warning: 1 evidence file(s) named in the database are missing" in output

    target = new_instance()  # a new host: an empty database, no upload folder
    done = target.flask("restore", str(archive))
    assert "6 users" in done.stdout and "current migration" in done.stdout
    assert_same_instance(target, original)
    assert not (target.uploads / ".exports").exists()

    # The restored instance works: a user logs in and downloads their evidence ...
    app = target.app()
    with app.app_context():
        client = app.test_client()
        login = client.post("/account/login", data={"email": EMAIL, "password": PASSWORD})
        assert login.status_code == 302 and "/login" not in login.location
        client.post("/account/logout")
        client.post(
            "/account/login", data={"email": "demo@example.com", "password": "demo-password"}
        )
        (evidence_id, digest) = target.sql("SELECT id, sha256 FROM evidence ORDER BY id")[0]
        download = client.get(f"/evidence/{evidence_id}/download")
        assert hashlib.sha256(download.data).hexdigest() == digest
        download.close()
        db.session.remove()
        db.engine.dispose()
    # ... and new rows get new ids (PostgreSQL's sequences were restored too).
    created = target.flask("create-user", "--email", "new@example.com", "--name", "New",
                           "--password", PASSWORD)  # fmt: skip
    assert f"created user {manifest['counts']['users'] + 1}" in created.stdout


def flip_one_byte(archive: Path, member_name: str, out: Path) -> None:
    """Copy `archive` with one byte in the middle of a member's data changed."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(member_name)
        offset = member.offset_data + member.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    out.write_bytes(bytes(data))


def state_of(instance: Instance) -> tuple:
    return instance.table_counts(), instance.sql('SELECT email FROM "user"'), instance.files()


def test_a_non_empty_target_is_replaced_only_with_force_and_an_intact_archive(
    source, new_instance, tmp_path
):
    original, archive, _ = source
    target = new_instance()
    target.setup("db", "upgrade")
    target.setup(
        "create-user", "--email", "bob@example.com", "--name", "Bob", "--password", PASSWORD
    )
    (target.uploads / "9").mkdir(parents=True)
    (target.uploads / "9" / "keep").write_bytes(b"the target's own file")
    before = state_of(target)

    refused = target.flask("restore", str(archive), ok=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert state_of(target) == before

    evidence_member = next(
        m["name"] for m in manifest_of(archive)["members"] if m["name"].startswith("uploads/")
    )
    database_member = f"database.{'pgdump' if TEST_DATABASE_URL else 'sqlite'}"
    for member in (evidence_member, database_member):
        tampered = tmp_path / "tampered.tar"
        flip_one_byte(archive, member, tampered)
        refused = target.flask("restore", "--force", str(tampered), ok=False)
        assert refused.returncode != 0, refused.stdout
        assert member in refused.stderr and "SHA-256" in refused.stderr
        assert state_of(target) == before  # nothing was touched ...
        assert sorted(p.name for p in target.uploads.parent.iterdir()) == [  # ... or left behind
            p.name for p in sorted(target.uploads.parent.iterdir()) if not p.name.startswith(".")
        ]

    if not TEST_DATABASE_URL:  # SQLite: a file replaced under a running app would fork it
        running_app = sqlite3.connect(target.url.removeprefix("sqlite:///"))
        running_app.execute("PRAGMA journal_mode=WAL")  # as the app's connections do
        running_app.execute('SELECT count(*) FROM "user"').fetchone()
        refused = target.flask("restore", "--force", str(archive), ok=False)
        running_app.close()
        assert "open in another process" in refused.stderr, refused.stderr
        assert state_of(target) == before

    target.flask("restore", "--force", str(archive))
    assert_same_instance(target, original)
    assert not (target.uploads / "9").exists()


def rewrite(archive: Path, out: Path, extra=None, data=b"", rename=None, **manifest) -> None:
    """Copy `archive`, adding a member (listed in the manifest with its true hash and size),
    renaming members and changing manifest fields: a forgery whose hashes all match, so only the
    name, type, engine, revision and version checks can catch it."""
    rename = rename or {}
    with tarfile.open(archive) as tar, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as new:
        original = json.loads(tar.extractfile("MANIFEST.json").read())
        members = [{**m, "name": rename.get(m["name"], m["name"])} for m in original["members"]]
        for member in tar.getmembers():
            if member.name != "MANIFEST.json":
                data_of = tar.extractfile(member)
                member.name = rename.get(member.name, member.name)
                new.addfile(member, data_of)
        if extra is not None:
            extra.size = len(data) if extra.isreg() else 0
            new.addfile(extra, io.BytesIO(data) if extra.isreg() else None)
            digest = hashlib.sha256(data).hexdigest()
            members = [*members, {"name": extra.name, "size": len(data), "sha256": digest}]
        body = json.dumps({**original, **manifest, "members": members}).encode()
        info = tarfile.TarInfo("MANIFEST.json")
        info.size = len(body)
        new.addfile(info, io.BytesIO(body))


def _symlink(name: str, to: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, to
    return info


def test_a_dotdot_member_refuses_the_archive(source, new_instance, tmp_path):
    _, archive, _ = source
    forged = tmp_path / "forged.tar"
    rewrite(archive, forged, tarfile.TarInfo("uploads/../../evil"), b"outside the upload folder")
    target = new_instance()
    refused = target.flask("restore", str(forged), ok=False)
    assert refused.returncode != 0 and "not allowed" in refused.stderr, refused.stderr
    assert not list(tmp_path.rglob("evil")) and not list(tmp_path.parent.glob("evil"))
    assert target.table_counts() == {} and not target.uploads.exists()


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (tarfile.TarInfo("uploads/2/../../../evil"), "not allowed"),
        (tarfile.TarInfo("ABSOLUTE/evil"), "not allowed"),
        (tarfile.TarInfo("uploads/./2/evil"), "not allowed"),
        (tarfile.TarInfo("evil"), "not allowed"),
        (_symlink("uploads/2/evil", "/etc/passwd"), "not a regular file"),
    ],
    ids=["nested-dotdot", "absolute", "dot", "unexpected-name", "symlink"],
)
def test_unsafe_members_refuse_the_archive_before_any_data_is_read(
    source, tmp_path, member, message
):
    _, archive, _ = source
    forged = tmp_path / "forged.tar"
    member.name = member.name.replace("ABSOLUTE", str(tmp_path / "outside"))
    rewrite(archive, forged, member, b"outside the upload folder")
    with pytest.raises(ArchiveRefused, match=message):
        Reader(forged)


def test_other_engines_and_newer_releases_are_refused(source, new_instance, tmp_path):
    _, archive, _ = source
    here = manifest_of(archive)["database"]
    other = "sqlite" if here["kind"] == "postgresql" else "postgresql"
    target = new_instance()
    forged = tmp_path / "forged.tar"
    names = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
    rewrite(
        archive,
        forged,
        rename={names[here["kind"]]: names[other]},
        database={**here, "kind": other},
    )
    refused = target.flask("restore", str(forged), ok=False)
    assert refused.returncode != 0 and "across engines" in refused.stderr, refused.stderr
    assert target.table_counts() == {} and not target.uploads.exists()

    app = target.app()
    with app.app_context():
        rewrite(archive, forged, database={**here, "alembic_revision": "f00dfeedbeef"})
        with pytest.raises(BackupError, match="newer release"):
            restore_backup(app, forged, force=False)
        db.engine.dispose()
    rewrite(archive, forged, format_version=99)
    with pytest.raises(ArchiveRefused, match="format version 99"):
        Reader(forged)
    assert target.table_counts() == {} and not target.uploads.exists()


def test_an_older_schema_is_restored_and_the_operator_told_to_upgrade(new_instance, tmp_path):
    older = new_instance()
    older.setup("db", "upgrade", OLD_REVISION)
    archive = tmp_path / "older.tar"
    older.flask("backup", str(archive))
    target = new_instance()
    done = target.flask("restore", str(archive))
    assert f"migration {OLD_REVISION}" in done.stdout and "db upgrade" in done.stdout
    assert target.sql("SELECT version_num FROM alembic_version") == [(OLD_REVISION,)]
    target.flask("db", "upgrade")


def test_backup_never_overwrites_or_leaves_a_complete_looking_file(source, new_instance, tmp_path):
    original, archive, _ = source
    existing = tmp_path / "existing.tar"
    existing.write_bytes(b"an older backup")
    refused = original.flask("backup", str(existing), ok=False)
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert existing.read_bytes() == b"an older backup"
    original.flask("backup", "--force", str(existing))
    assert manifest_of(existing)["counts"] == manifest_of(archive)["counts"]
    inside = original.flask("backup", str(original.uploads / "backup.tar"), ok=False)
    assert "inside UPLOAD_DIR" in inside.stderr and not (original.uploads / "backup.tar").exists()

    # Killed while copying a large upload: only PATH.part exists, never PATH.
    instance = new_instance()
    instance.setup("db", "upgrade")
    (instance.uploads / "1").mkdir(parents=True)
    with (instance.uploads / "1" / "large").open("wb") as large:
        large.truncate(400 * 1024 * 1024)  # sparse: costs no disk to read from
    path = tmp_path / "killed.tar"
    part = path.with_name("killed.tar.part")
    backup = subprocess.Popen(  # noqa: S603
        [FLASK, "--app", "cpd_log", "backup", str(path)], env=instance.env()
    )
    deadline = time.monotonic() + 120
    while not part.exists() and backup.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    backup.send_signal(signal.SIGKILL)
    backup.wait()
    assert part.exists() and not path.exists()


def test_backup_while_the_app_writes_is_consistent(new_instance, tmp_path):
    """A writer commits pairs of rows throughout the backup; the archive holds a prefix of the
    pairs, never half of one, and the writer never fails on a lock."""
    instance = new_instance()
    instance.setup("db", "upgrade")
    instance.setup("demo", "--activities", "5")
    user_id, activity_id = instance.sql("SELECT user_id, id FROM activity ORDER BY id")[0]
    insert = text(
        "INSERT INTO evidence (user_id, activity_id, title, url, original_name, mime_type,"
        " size_bytes, created_at) VALUES (:u, :a, :t, 'https://example.com/', '', '', 0,"
        " CURRENT_TIMESTAMP)"
    )
    committed, errors, stop = [0], [], threading.Event()

    def write() -> None:
        engine = create_engine(instance.url)
        if not TEST_DATABASE_URL:
            # The rows stay in the WAL file, so a backup that copied only the database file
            # (or copied it while a checkpoint wrote into it) would miss or tear them.
            event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA wal_autocheckpoint=0"))
        try:
            while not stop.is_set():
                with engine.begin() as connection:
                    for half in "ab":
                        title = f"w-{committed[0]}-{half}"
                        connection.execute(insert, {"u": user_id, "a": activity_id, "t": title})
                committed[0] += 1
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            engine.dispose()

    writer = threading.Thread(target=write)
    writer.start()
    while committed[0] < 20 and writer.is_alive():
        time.sleep(0.01)
    before = committed[0]
    archive = tmp_path / "busy.tar"
    try:
        instance.flask("backup", str(archive))
        time.sleep(0.2)
    finally:
        stop.set()
        writer.join()
    assert not errors and committed[0] > before

    target = new_instance()
    target.flask("restore", str(archive))
    titles = [t for (t,) in target.sql("SELECT title FROM evidence WHERE title LIKE 'w-%'")]
    pairs = len(titles) // 2
    assert before <= pairs < committed[0]
    assert sorted(titles) == sorted(f"w-{n}-{half}" for n in range(pairs) for half in "ab")
