"""The archive: an uncompressed tar whose last member is MANIFEST.json.

Writing hashes each member while it streams into the tar (no member is held in memory). Reading
checks, before any member's data is read, that the manifest's format is one this code knows and
that the tar holds exactly the members the manifest lists — regular files, under the expected
names, of the listed sizes — and then checks each member's SHA-256 while copying it into a
staging folder. A member that fails any check refuses the whole archive.
"""

import hashlib
import io
import json
import os
import re
import tarfile
from pathlib import Path, PurePosixPath

FORMAT = "cpd-log-instance-backup"
# Every version listed here can be restored by this code (STYLE.md: formats are versioned).
FORMAT_VERSION = 1
READABLE_VERSIONS = {1}
MANIFEST_NAME = "MANIFEST.json"
UPLOADS = "uploads"
DATABASE_MEMBERS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
# A manifest names every file (~150 bytes each): 64 MB is several hundred thousand files.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ArchiveRefused(Exception):
    """The archive is damaged, altered or not one of ours; nothing has been changed."""


class _HashingReader:
    """A file wrapper that hashes what tarfile reads from it."""

    def __init__(self, file):
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


class Writer:
    """Streams members into a tar, recording each one's size and SHA-256 for the manifest."""

    def __init__(self, out):
        # Closed by finish(); the file under it belongs to the caller.
        self.tar = tarfile.open(  # noqa: SIM115
            fileobj=out, mode="w", format=tarfile.PAX_FORMAT, copybufsize=CHUNK
        )
        self.members: list[dict] = []

    def add_file(self, name: str, path: Path) -> None:
        """Add one file. Its size is taken from the open file, so a file replaced meanwhile
        (uploads are written to a temporary name and renamed) is still read whole."""
        with path.open("rb") as file:
            stat = os.fstat(file.fileno())
            info = _info(name, stat.st_size, int(stat.st_mtime))
            reader = _HashingReader(file)
            self.tar.addfile(info, reader)
        self.members.append({"name": name, "size": info.size, "sha256": reader.digest.hexdigest()})

    def finish(self, manifest: dict, mtime: int) -> None:
        """Write the manifest as the last member and close the tar (not the file under it)."""
        data = json.dumps({**manifest, "members": self.members}, indent=1).encode()
        self.tar.addfile(_info(MANIFEST_NAME, len(data), mtime), io.BytesIO(data))
        self.tar.close()


def _info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o600
    return info


class Reader:
    """Opens an archive and checks its manifest against every member header (no data read)."""

    def __init__(self, path: Path):
        try:
            self.tar = tarfile.open(path, mode="r:")  # noqa: SIM115 - closed by __exit__
            # Headers only: in random-access mode tarfile seeks over each member's data.
            members = self.tar.getmembers()
        except (OSError, tarfile.TarError) as error:
            raise ArchiveRefused(f"{path} is not a readable backup archive ({error}).") from None
        try:
            if not members or members[-1].name != MANIFEST_NAME:
                raise ArchiveRefused(f"{path} has no manifest at its end: truncated or not ours.")
            self.manifest = _read_manifest(self.tar, members[-1])
            self.members = members[:-1]
            _check_members(self.members, self.manifest)
        except ArchiveRefused:
            self.tar.close()
            raise

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.tar.close()

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.manifest["database"]["kind"]]

    def extract_to(self, staging: Path) -> None:
        """Copy every member under `staging`, checking its SHA-256. Raises ArchiveRefused."""
        expected = {entry["name"]: entry for entry in self.manifest["members"]}
        for member in self.members:
            target = staging.joinpath(*PurePosixPath(member.name).parts)
            if not target.resolve().is_relative_to(staging.resolve()):
                raise ArchiveRefused(f"member {member.name!r} points outside the restore folder.")
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with self.tar.extractfile(member) as source, target.open("xb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[member.name]["sha256"]:
                raise ArchiveRefused(
                    f"member {member.name!r} does not match its SHA-256 in the manifest: "
                    "the archive is damaged or was altered."
                )


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict:
    if not member.isreg() or member.size > MANIFEST_MAX_BYTES:
        raise ArchiveRefused("the manifest is not a regular file of a plausible size.")
    try:
        manifest = json.loads(tar.extractfile(member).read())
    except (ValueError, tarfile.TarError) as error:
        raise ArchiveRefused(f"the manifest cannot be read ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveRefused("this is not a CPD Log instance backup (unknown manifest).")
    version = manifest.get("format_version")
    if version not in READABLE_VERSIONS:
        raise ArchiveRefused(
            f"backup format version {version!r} is newer than this CPD Log reads "
            f"({sorted(READABLE_VERSIONS)}); restore it with the release that wrote it or later."
        )
    kind = (manifest.get("database") or {}).get("kind")
    if kind not in DATABASE_MEMBERS or not isinstance(manifest.get("members"), list):
        raise ArchiveRefused("the manifest names no known database kind or no member list.")
    return manifest


def _check_members(members: list[tarfile.TarInfo], manifest: dict) -> None:
    """The tar holds exactly the listed members: regular files, safe names, listed sizes."""
    database = DATABASE_MEMBERS[manifest["database"]["kind"]]
    listed: dict[str, dict] = {}
    for entry in manifest["members"]:
        name = entry.get("name") if isinstance(entry, dict) else None
        size, digest = (entry.get("size"), entry.get("sha256")) if name else (None, None)
        if not isinstance(size, int) or size < 0 or not _SHA256.match(str(digest)):
            raise ArchiveRefused(f"the manifest entry {entry!r} has no valid size and SHA-256.")
        check_name(name, database)
        if name in listed:
            raise ArchiveRefused(f"the manifest lists {name!r} twice.")
        listed[name] = entry
    if database not in listed:
        raise ArchiveRefused("the archive holds no database.")
    seen: set[str] = set()
    for member in members:
        check_name(member.name, database)
        if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise ArchiveRefused(f"member {member.name!r} is not a regular file (link, device…).")
        entry = listed.get(member.name)
        if entry is None or member.name in seen:
            raise ArchiveRefused(f"member {member.name!r} is not in the manifest (or repeated).")
        if member.size != entry["size"]:
            raise ArchiveRefused(f"member {member.name!r} is not the size the manifest lists.")
        seen.add(member.name)
    if missing := sorted(set(listed) - seen):
        raise ArchiveRefused(
            f"the archive lacks {len(missing)} listed member(s), e.g. {missing[0]}."
        )


def check_name(name: str, database_member: str) -> None:
    """A member is the database or a relative path under uploads/: no absolute path, no `..`,
    no `.` or empty component, no backslash or control character. Raises ArchiveRefused."""
    parts = name.split("/")
    unsafe = (
        name.startswith("/")
        or "\\" in name
        or any(ord(char) < 32 or char == "\x7f" for char in name)
        or any(part in ("", ".", "..") for part in parts)
    )
    expected = name == database_member or (parts[0] == UPLOADS and len(parts) > 1)
    if unsafe or not expected:
        raise ArchiveRefused(f"member name {name!r} is not allowed in a backup.")
