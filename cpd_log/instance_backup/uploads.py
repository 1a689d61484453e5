"""The upload folder in a backup: which files are kept, which are skipped and why, and the swap of
a restored folder into UPLOAD_DIR."""

import os
import secrets
import shutil
import stat
from pathlib import Path

# Top-level folders whose files are transient. `.exports/` holds finished export jobs
# (cpd_log/documents/jobs.py): re-made on demand and removed after an hour anyway.
TRANSIENT_FOLDERS = {".exports": "export job files (transient)"}
# Evidence is written to `.<hash>.<pid>.part` and renamed when complete (evidence/services.py).
PARTIAL_SUFFIX = ".part"


def upload_files(root: Path) -> tuple[list[tuple[str, Path]], list[dict]]:
    """Every regular file under `root` as (relative POSIX path, path), sorted, and the skipped
    entries as {path, reason}. Symbolic links are never followed."""
    kept: list[tuple[str, Path]] = []
    skipped: list[dict] = []
    if not root.is_dir():
        return kept, skipped
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        relative = here.relative_to(root)
        for name in sorted(subfolders):
            reason = TRANSIENT_FOLDERS.get(name) if relative == Path(".") else None
            if (here / name).is_symlink():
                reason = "a symbolic link (not followed)"
            if reason:
                skipped.append({"path": (relative / name).as_posix() + "/", "reason": reason})
                subfolders.remove(name)
        subfolders.sort()
        for name in sorted(files):
            path, name_in_archive = here / name, (relative / name).as_posix()
            if name.endswith(PARTIAL_SUFFIX):
                skipped.append({"path": name_in_archive, "reason": "a file still being written"})
            elif not stat.S_ISREG(path.lstat().st_mode):
                skipped.append({"path": name_in_archive, "reason": "not a regular file"})
            else:
                kept.append((name_in_archive, path))
    return kept, skipped


def holds_files(root: Path) -> bool:
    """True when `root` has anything a restore would replace (transient folders aside)."""
    if not root.is_dir():
        return False
    return any(entry.name not in TRANSIENT_FOLDERS for entry in root.iterdir())


def staging_folder(root: Path) -> Path:
    """A new folder beside UPLOAD_DIR (same file system, so the swap is a rename)."""
    if root.is_dir() and os.path.ismount(root):
        raise OSError(
            f"UPLOAD_DIR {root} is a mount point and cannot be swapped by renaming; "
            "mount its parent folder instead (for example /srv/cpd_log with UPLOAD_DIR "
            "/srv/cpd_log/uploads)."
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = root.with_name(f".{root.name}.restore-{secrets.token_hex(4)}")
    staging.mkdir(mode=0o700)
    return staging


def swap_in(staged: Path, root: Path) -> Path | None:
    """Rename `staged` to `root`; the old folder is renamed aside and returned (None if none)."""
    old = None
    if root.exists():
        old = root.with_name(f".{root.name}.old-{secrets.token_hex(4)}")
        os.replace(root, old)
    os.replace(staged, root)
    return old


def swap_back(root: Path, old: Path | None) -> None:
    """Undo swap_in after a failed database restore."""
    shutil.rmtree(root, ignore_errors=True)
    if old is not None:
        os.replace(old, root)
