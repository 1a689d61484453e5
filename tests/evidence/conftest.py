"""Evidence tests count the files in their own upload folder (the `upload_dir` fixture)."""


def stored_files(upload_dir) -> list:
    return sorted(p for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.exists() else []
