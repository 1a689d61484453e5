"""A body's claim vocabulary, read from the scheme file's `claims` section (scheme.schema.json
declares it; schemes/checking.py checks that its types are among its choices): the body's activity
types, which type each activity kind (or kind+delivery) is, and the body's claim fields in the
body's order. A scheme without the section (a user's own, the blank one) gets GENERIC: CPD Log's
own field names, the activity kind as the type. Plain Python.
"""

from dataclasses import dataclass

from cpd_log.activities.choices import KIND_LABELS, ActivityKind

# Kinds an auditor expects a certificate for when the scheme file does not say (claims/
# certificate_kinds): a course, a conference and an exam each come with one.
CERTIFICATE_KINDS = (
    ActivityKind.COURSE.value,
    ActivityKind.CONFERENCE.value,
    ActivityKind.EXAM.value,
)


@dataclass(frozen=True)
class ClaimField:
    label: str
    source: str  # one of scheme.schema.json's claims/fields/from; cards.SOURCES reads it


@dataclass(frozen=True)
class Vocabulary:
    choices: tuple[str, ...]  # every type of the body, in its order
    types: dict[str, str]  # "kind" or "kind+delivery" -> type
    default_type: str
    fields: tuple[ClaimField, ...]
    source: str = ""
    certificate_kinds: tuple[str, ...] = CERTIFICATE_KINDS

    @classmethod
    def of(cls, content: dict) -> "Vocabulary":
        """The vocabulary of a scheme file (its stored `content`), GENERIC without one."""
        claims = content.get("claims")
        if not claims:
            return GENERIC
        return cls(
            choices=tuple(claims["choices"]),
            types=dict(claims["types"]),
            default_type=claims["default_type"],
            fields=tuple(ClaimField(f["label"], f["from"]) for f in claims["fields"]),
            source=claims["source"],
            certificate_kinds=tuple(claims.get("certificate_kinds", CERTIFICATE_KINDS)),
        )

    def body_type(self, kind: str, delivery: str) -> str:
        """The body's type of an activity: kind+delivery first, then kind, then the default."""
        return self.types.get(f"{kind}+{delivery}") or self.types.get(kind) or self.default_type


GENERIC = Vocabulary(
    choices=tuple(KIND_LABELS.values()),
    types={kind.value: label for kind, label in KIND_LABELS.items()},
    default_type=KIND_LABELS[ActivityKind.OTHER],
    fields=tuple(
        ClaimField(label, source)
        for label, source in (
            ("Title", "title"),
            ("Kind", "type"),
            ("Provider", "provider"),
            ("Start date", "start_date"),
            ("Date completed", "completed_on"),
            ("Counted", "units"),
            ("Learning objective", "objective"),
            ("Description", "description"),
            ("Web address", "url"),
        )
    ),
)
