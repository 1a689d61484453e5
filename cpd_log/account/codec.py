"""How a record of the account document is read and written, given its declaration.

A record type is a declared set of keys (account_format.py holds the declarations); each key has
a kind, may be nullable or optional, carries the version that added it (`since`) and, for keys
older files still hold but this release no longer writes, the last version that wrote it
(`until`). The export builds every record with `write`; an import reads every record through
one Reader, which also counts the keys it does not know (a file from a newer release).
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum

from cpd_log.account.transfer import BadFile

LIST = "list"  # a list of values its reader checks (competency references, keys in the file)
JSON = "json"  # any JSON value its reader checks (a scheme's content, a reference)
SIZE = "size"  # a whole number of bytes, however large
STAGE_TEXT = "stage text"  # an object mapping a reflection's stage names to text
SCALARS = (str, int, bool, date, datetime, SIZE)


@dataclass(frozen=True)
class One:
    """A nested record, or null."""

    record: str


@dataclass(frozen=True)
class Many:
    """A list of nested records."""

    record: str


NO_DEFAULT = object()


@dataclass(frozen=True)
class Key:
    """`optional`: may be absent from any file; when it is not a column, written only when the
    export gives it (an evidence file's keys, for a file).
    `since` > 1: files older than that version lack it. Either way absent reads as the default:
    None when nullable, empty for text, lists and maps, False for yes/no, else `default`."""

    name: str
    kind: object
    nullable: bool = False
    optional: bool = False
    since: int = 1
    until: int | None = None
    default: object = NO_DEFAULT
    column: bool | None = None  # copied from the row's attribute; by default, scalar kinds are

    @property
    def stored(self) -> bool:
        if self.column is not None:
            return self.column
        return self.kind in SCALARS or isinstance(self.kind, type) and issubclass(self.kind, Enum)

    @property
    def may_be_absent(self) -> bool:
        structural = self.kind in (LIST, JSON, STAGE_TEXT) or isinstance(self.kind, One | Many)
        return self.optional or self.since > 1 or self.until is not None or structural

    def absent(self):
        """The value of this key when a file lacks it."""
        if self.default is not NO_DEFAULT:
            return self.default
        if self.nullable or self.kind is JSON or isinstance(self.kind, One):
            return None
        empty = {LIST: [], STAGE_TEXT: {}, str: "", bool: False}
        if isinstance(self.kind, Many) or self.kind in empty:
            return [] if isinstance(self.kind, Many) else empty[self.kind]
        raise TypeError(f"“{self.name}” may be absent but has no default")


class Record:
    """One record type: its keys in the order they are written, and `same_when`: the values
    that make an imported record the same as one already in the account (it is then skipped)."""

    def __init__(self, *keys: Key, same_when: tuple[str, ...] = ()):
        self.keys = {key.name: key for key in keys}
        self.same_when = same_when

    def columns(self, values: dict) -> dict:
        """The values that are the row's own attributes (what a model takes as keywords)."""
        return {name: values[name] for name, key in self.keys.items() if key.stored}


def moment(value: datetime) -> str:
    """A moment as one comparable text, naive ones read as UTC (SQLite drops the zone)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def encoded(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value.value if isinstance(value, Enum) else value


def write(record: Record, row=None, **given) -> dict:
    """The record as JSON values, its keys in declared order: a key the export gives, else the
    row's attribute of that name. A key not declared, or a needed key not given, is a bug."""
    unknown = set(given) - set(record.keys)
    if unknown:
        raise KeyError(f"not declared: {sorted(unknown)}")
    out = {}
    for name, key in record.keys.items():
        if key.until is not None:
            continue
        if name in given:
            out[name] = encoded(given[name])
        elif key.stored:
            out[name] = encoded(getattr(row, name))
        elif not key.optional:
            raise KeyError(f"“{name}” was not given")
    return out


class Seen:
    """Records of one type already in the account, or added by this import: their ids (or the
    new rows) by the values of the type's `same_when`, read from a row or a record's values."""

    def __init__(self, record: Record, rows):
        self.names = record.same_when
        self.ids = {self.identity(row): row.id for row in rows}

    def identity(self, source) -> tuple:
        values = (source[n] if isinstance(source, dict) else getattr(source, n) for n in self.names)
        return tuple(moment(v) if isinstance(v, datetime) else v for v in values)

    def get(self, source):
        return self.ids.get(self.identity(source))

    def add(self, source, row_or_id) -> None:
        self.ids[self.identity(source)] = row_or_id


def readable_version(value) -> bool:
    """Every version from 1 on is read: older ones forever, newer ones for the keys known here."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@dataclass
class Notes:
    """What the import left out on purpose, by where it was in the file."""

    dropped: list[str] = field(default_factory=list)  # javascript:/data: and other unsafe links
    missing: list[str] = field(default_factory=list)  # files missing when the backup was made
    unknown: Counter = field(default_factory=Counter)  # keys not declared, by record type
    newer: int | None = None  # the version of a file written by a newer release

    def summary(self, limit: int = 20) -> str:
        """Where, for the job's page: the first `limit` places of each kind."""
        parts = []
        if self.newer is not None:
            parts.append(
                f"This backup was made by a newer release of CPD Log (format version "
                f"{self.newer}); what this release knows of it was imported."
            )
        if self.unknown:
            where = ", ".join(f"{n} in {kind}" for kind, n in sorted(self.unknown.items()))
            parts.append(f"Keys this release does not know were ignored: {where}.")
        for what, places in (
            ("Links left out (only http and https addresses are imported)", self.dropped),
            ("Files that were already missing when the backup was made", self.missing),
        ):
            if places:
                more = f" and {len(places) - limit} more" if len(places) > limit else ""
                parts.append(f"{what}: {'; '.join(places[:limit])}{more}.")
        return " ".join(parts)

    def counts(self) -> dict[str, int]:
        return {
            "unsafe links dropped": len(self.dropped),
            "evidence files that were missing from the backup": len(self.missing),
            "unknown keys ignored": sum(self.unknown.values()),
        }


class Reader:
    """Reads the records of one document by their declarations (`records`, by type name)."""

    def __init__(self, records: dict[str, Record], notes: Notes):
        self.records = records
        self.notes = notes

    def read(self, record_type: str, raw, where: str) -> dict:
        """Every declared key, checked and converted; absent keys that may be absent get their
        default; keys not declared are left alone (survey counted them)."""
        record = raw if isinstance(raw, dict) else {}
        values = {}
        for name, key in self.records[record_type].keys.items():
            if name in record:
                values[name] = _checked(key, record[name], f"{where}: “{name}”")
            elif key.may_be_absent:
                values[name] = key.absent()
            else:
                raise BadFile(f"{where}: “{name}” is missing.")
        return values

    def each(self, record_type: str, items: list, label: str) -> Iterator[tuple[str, dict, dict]]:
        """(where, raw, values) of each record of a list, where = "<label> <n>"."""
        for n, raw in enumerate(items, start=1):
            where = f"{label} {n}"
            yield where, raw, self.read(record_type, raw, where)

    def survey(self, record_type: str, raw) -> None:
        """Count the keys of `raw` and its nested records that are not declared."""
        if not isinstance(raw, dict):
            return
        declared = self.records[record_type].keys
        for name, value in raw.items():
            kind = declared[name].kind if name in declared else None
            if kind is None:
                self.notes.unknown[record_type] += 1
            elif isinstance(kind, One):
                self.survey(kind.record, value)
            elif isinstance(kind, Many) and isinstance(value, list):
                for item in value:
                    self.survey(kind.record, item)


def _checked(key: Key, raw, what: str):
    if raw is None and (key.nullable or key.kind is JSON or isinstance(key.kind, One)):
        return None
    if key.kind is LIST or isinstance(key.kind, Many):
        if not isinstance(raw, list):
            raise BadFile(f"{what} must be a list.")
        return raw
    if key.kind is STAGE_TEXT:
        return _stage_text(raw, what)
    if key.kind is JSON or isinstance(key.kind, One):
        return raw
    try:
        return _convert(raw, key.kind)
    except (TypeError, ValueError):
        raise BadFile(f"{what} has an invalid value.") from None


def _stage_text(raw, what: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise BadFile(f"{what} must map stage names to text.")
    return {k.replace("\x00", ""): v.replace("\x00", "") for k, v in raw.items()}


def _convert(raw, kind):
    if kind is bool or kind is str:
        if not isinstance(raw, kind):
            raise TypeError
        return raw.replace("\x00", "") if kind is str else raw
    if kind is int or kind is SIZE:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ValueError
        if kind is int and raw >= 10**7:
            raise ValueError
        return raw
    if kind is datetime:
        value = datetime.fromisoformat(raw)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if kind is date:
        return date.fromisoformat(raw)
    if issubclass(kind, Enum):
        return kind(raw)
    raise TypeError
