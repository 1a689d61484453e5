"""A scheme file parsed for the rules engine: categories, limits and count rules, all in whole
minutes (the scheme's unit — hour, PDU, point — is only for display). Pure Python."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    min: int = 0  # minutes
    max: int | None = None  # minutes per cycle
    step: int = 1  # minutes: each activity's share is rounded down to a multiple of this
    parent: str | None = None


@dataclass(frozen=True)
class CountRule:
    code: str
    name: str
    counts: str  # "activities", "reflections", "reflective_statements"
    min: int


@dataclass(frozen=True)
class SchemeRules:
    """One scheme file's rules as the engine reads them (the stored file version is the ORM
    model cpd_log.models.scheme.Scheme, whose `content` this is parsed from)."""

    slug: str
    name: str
    version: str
    unit: str
    unit_plural: str
    unit_minutes: int
    period: dict
    total_min: int
    categories: tuple[Category, ...]
    activity_min: int | None = None
    activity_max: int | None = None
    carry_over_max: int | None = None
    carry_over_months: int = 12
    count_rules: tuple[CountRule, ...] = ()
    allocation: dict = field(default_factory=dict, compare=False, hash=False)

    def counting_in(self, framework: str) -> "SchemeRules":
        """These rules with the competency rule's framework named by `framework` (a framework
        key, crosswalks/mapping.framework_key) instead of the file's slug."""
        rule = self.allocation["competencies"]
        allocation = {**self.allocation, "competencies": {**rule, "framework": framework}}
        return replace(self, allocation=allocation)

    @classmethod
    def from_dict(cls, data: dict) -> "SchemeRules":
        """Parse a validated scheme file; figures in the scheme's unit become minutes."""
        unit = data["unit"]
        per = int(unit.get("minutes", 60))

        def minutes(value) -> int | None:
            return None if value is None else int(Decimal(str(value)) * per)

        categories: list[Category] = []
        for top in data["categories"]:
            step = minutes(top.get("step")) or 1
            categories.append(_category(top, None, step, minutes))
            for sub in top.get("subcategories", []):
                sub_step = minutes(sub.get("step")) or step
                categories.append(_category(sub, top["code"], sub_step, minutes))
        limits, carry = data.get("per_activity", {}), data.get("carry_over") or {}
        return cls(
            slug=data["slug"],
            name=data["name"],
            version=str(data["version"]),
            unit=unit["name"],
            unit_plural=unit.get("plural", unit["name"] + "s"),
            unit_minutes=per,
            period=data["period"],
            total_min=minutes(data["total_min"]) or 0,
            categories=tuple(categories),
            activity_min=minutes(limits.get("min")),
            activity_max=minutes(limits.get("max")),
            carry_over_max=minutes(carry.get("max")),
            carry_over_months=int(carry.get("earned_in_last_months", 12)),
            count_rules=tuple(
                CountRule(r["code"], r["name"], r["counts"], int(r["min"]))
                for r in data.get("count_rules", [])
            ),
            allocation=data.get("allocation", {}),
        )

    @cached_property
    def _by_code(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    @cached_property
    def _children(self) -> dict[str | None, list[Category]]:
        found: dict[str | None, list[Category]] = defaultdict(list)
        for category in self.categories:
            found[category.parent].append(category)
        return found

    def category(self, code: str) -> Category | None:
        return self._by_code.get(code)

    def children(self, code: str | None) -> list[Category]:
        return self._children.get(code, [])

    @property
    def tagged(self) -> bool:
        """Whether the scheme's default split looks at an activity's competency tags."""
        return "competencies" in self.allocation

    def leaves(self) -> list[Category]:
        """Categories an activity's minutes can be allocated to (those without sub-categories)."""
        return [c for c in self.categories if not self.children(c.code)]

    def figure(self, minutes: int) -> str:
        """Minutes as a number in the scheme's unit: 90 -> '1.5' (two decimals at most)."""
        value = Decimal(minutes) / Decimal(self.unit_minutes)
        return f"{value:.2f}".rstrip("0").rstrip(".")

    def amount(self, minutes: int) -> str:
        """Minutes in the scheme's unit for people: 90 -> '1.5 PDUs'."""
        one = minutes == self.unit_minutes
        return f"{self.figure(minutes)} {self.unit if one else self.unit_plural}"


def _category(data: dict, parent: str | None, step: int, minutes) -> Category:
    return Category(
        code=data["code"],
        name=data["name"],
        min=minutes(data.get("min")) or 0,
        max=minutes(data.get("max")),
        step=step,
        parent=parent,
    )
