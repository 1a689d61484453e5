"""Whole-instance backup and restore: `flask --app cpd_log backup PATH` / `restore PATH`.

One archive holds everything an instance keeps: the database (a SQLite online-backup copy or a
`pg_dump --format=custom` dump) and every file under UPLOAD_DIR, plus a MANIFEST.json that names
each member with its size and SHA-256. The archive is an uncompressed tar: its largest parts
(evidence files, the PostgreSQL dump) are compressed already, and a plain tar lets `restore` read
every member's header and the manifest (the last member) before it reads any data.

- archive.py   the tar format: writing members while hashing, checking names/sizes/hashes
- databases.py SQLite and PostgreSQL: a consistent snapshot, its facts, and the restore
- uploads.py   which upload files are kept (and which skipped), the swap into UPLOAD_DIR
- services.py  the two operations, in the order that keeps a failure harmless
- commands.py  the click commands
"""
