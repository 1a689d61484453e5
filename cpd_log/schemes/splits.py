"""How one activity's minutes split across a scheme's categories: the default the scheme file's
`allocation` rules give, and the checks on a split the user writes. Pure Python, like rules.py.

The `allocation` section of a scheme file:
    "kinds": {"course": "EDU.NONE", "on_the_job": "GB.WORK", ...}   activity kind -> category
    "default": "EDU.NONE"                       kinds not listed (omit: they do not count)
    "participatory": {"true": "PART", "false": "IND"}    decided by the participatory flag instead
    "competencies": {"framework": "pmi-talent-triangle", "parent": "EDU",
                     "map": {"TT.WOW": "EDU.WOW", ...}}  tags re-route a share of minutes that
                                                         would go under `parent`
"""

from typing import NamedTuple

from cpd_log.schemes.rules import SchemeRules


class ActivityFacts(NamedTuple):
    """What the default rules look at, independent of the database row (a named tuple: pages
    use it as a dictionary key once per activity and cycle, and a tuple hashes fast)."""

    kind: str
    minutes: int
    participatory: bool = False
    tags: frozenset[tuple[str, str]] = frozenset()  # (framework slug, competency code)


def default_category(scheme: SchemeRules, facts: ActivityFacts) -> str | None:
    rules = scheme.allocation
    if "participatory" in rules:
        return rules["participatory"]["true" if facts.participatory else "false"]
    return rules.get("kinds", {}).get(facts.kind, rules.get("default"))


def default_split(scheme: SchemeRules, facts: ActivityFacts) -> dict[str, int]:
    """{category code: minutes}. Several mapped tags share the minutes evenly in the category's
    step, the remainder going to the first; no mapped tag leaves it in the kind's category."""
    category = default_category(scheme, facts)
    if category is None or facts.minutes <= 0:
        return {}
    tagged = scheme.allocation.get("competencies")
    target = scheme.category(category)
    if not tagged or target is None or tagged["parent"] not in (target.code, target.parent):
        return {category: facts.minutes}
    mapped = tagged["map"]
    codes = sorted(code for slug, code in facts.tags if slug == tagged["framework"])
    leaves = list(dict.fromkeys(mapped[code] for code in codes if code in mapped))
    if not leaves:
        return {category: facts.minutes}
    step = target.step
    share = facts.minutes // len(leaves) // step * step
    split = dict.fromkeys(leaves, share)
    split[leaves[0]] += facts.minutes - share * len(leaves)
    return {code: minutes for code, minutes in split.items() if minutes > 0}


def split_errors(
    scheme: SchemeRules, activity_minutes: int, split: dict[str, int]
) -> dict[str, str]:
    """{category code or "": message} for a user-written split; empty when it is acceptable."""
    errors: dict[str, str] = {}
    leaves = {c.code: c for c in scheme.leaves()}
    for code, minutes in split.items():
        category = leaves.get(code)
        if category is None:
            errors[code] = "This is not a category of the scheme."
        elif minutes < 0:
            errors[code] = "Enter 0 or more."
        elif minutes % category.step:
            errors[code] = f"{category.name} counts in steps of {scheme.amount(category.step)}."
    total = sum(m for m in split.values() if m > 0)
    if total > activity_minutes:
        errors[""] = (
            f"The split adds up to {scheme.amount(total)} but the activity lasted "
            f"{scheme.amount(activity_minutes)}."
        )
    elif scheme.activity_max is not None and total > scheme.activity_max:
        errors[""] = f"One activity counts at most {scheme.amount(scheme.activity_max)}."
    elif scheme.activity_min and 0 < total < scheme.activity_min:
        errors[""] = f"One activity counts only from {scheme.amount(scheme.activity_min)}."
    return errors


def explain_default(scheme: SchemeRules, facts: ActivityFacts) -> str:
    """Why the default split is what it is, in one sentence for the cycle page."""
    rules = scheme.allocation
    split = default_split(scheme, facts)
    if not split:
        return f"Activities of kind “{facts.kind.replace('_', ' ')}” do not count in this scheme."
    names = ", ".join(_name(scheme, code) for code in split)
    if "participatory" in rules:
        how = "participatory" if facts.participatory else "not marked participatory"
        return f"The activity is {how}, so it counts as {names}."
    mapped = rules.get("competencies")
    if mapped and any(code in mapped["map"].values() for code in split):
        return f"Tagged {names}: the minutes go there, split evenly when there are several tags."
    return f"A “{facts.kind.replace('_', ' ')}” counts as {names} by the scheme's rules."


def _name(scheme: SchemeRules, code: str) -> str:
    category = scheme.category(code)
    if category is None:
        return code
    parent = scheme.category(category.parent) if category.parent else None
    return f"{parent.name} › {category.name}" if parent else category.name
