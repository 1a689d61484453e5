"""How one activity's minutes split across a scheme's categories: the default the scheme file's
`allocation` rules give, and the checks on a split the user writes. Pure Python, like rules.py.

The `allocation` section of a scheme file:
    "kinds": {"course": "EDU.NONE", "on_the_job": "GB.WORK", ...}   activity kind -> category
    "default": "EDU.NONE"                       kinds not listed (omit: they do not count)
    "participatory": {"true": "PART", "false": "IND"}    decided by the participatory flag instead
    "competencies": {"framework": "pmi-talent-triangle", "parent": "EDU",
                     "map": {"TT.WOW": "EDU.WOW", ...}}  tags re-route a share of minutes that
                                                         would go under `parent`
                     "related": true                    crosswalk mappings marked "related"
                                                         count too (default: only exact,
                                                         broader and narrower ones)

The tags that count for `map` are the activity's own tags in the framework plus the codes its
other tags reach through crosswalks (cpd_log/crosswalks/mapping.py); a code reached several ways
counts once. Several areas share the minutes in proportion to the codes reaching each.
"""

from typing import NamedTuple

from cpd_log.crosswalks.mapping import CrosswalkMap, Step
from cpd_log.schemes.rules import SchemeRules

NO_CROSSWALKS = CrosswalkMap()


class ActivityFacts(NamedTuple):
    """What the default rules look at, independent of the database row (a named tuple: pages
    use it as a dictionary key once per activity and cycle, and a tuple hashes fast)."""

    kind: str
    minutes: int
    participatory: bool = False
    tags: frozenset[tuple[str, str]] = frozenset()  # (framework key, competency code)


def default_category(scheme: SchemeRules, facts: ActivityFacts) -> str | None:
    rules = scheme.allocation
    if "participatory" in rules:
        return rules["participatory"]["true" if facts.participatory else "false"]
    return rules.get("kinds", {}).get(facts.kind, rules.get("default"))


def default_split(
    scheme: SchemeRules, facts: ActivityFacts, crosswalks: CrosswalkMap = NO_CROSSWALKS
) -> dict[str, int]:
    """{category code: minutes}. The areas the tags reach share the minutes in proportion to the
    codes reaching each, in the category's step, the remainder going to the first area in the
    scheme's order; no area reached leaves them in the kind's category."""
    category = default_category(scheme, facts)
    if category is None or facts.minutes <= 0:
        return {}
    weights = _area_weights(scheme, category, facts, crosswalks)
    if not weights:
        return {category: facts.minutes}
    step, total = scheme.category(category).step, sum(weights.values())
    split = {
        code: facts.minutes * weight // total // step * step for code, weight in weights.items()
    }
    first = next(iter(split))
    split[first] += facts.minutes - sum(split.values())
    return {code: minutes for code, minutes in split.items() if minutes > 0}


def _tagged(scheme: SchemeRules, category: str) -> dict | None:
    """The scheme's competency rule when it applies to minutes bound for `category`."""
    tagged = scheme.allocation.get("competencies")
    target = scheme.category(category)
    if not tagged or target is None or tagged["parent"] not in (target.code, target.parent):
        return None
    return tagged


def _reached(scheme: SchemeRules, category: str, facts: ActivityFacts, crosswalks: CrosswalkMap):
    """{mapped code of the scheme's framework: how the tags reach it}, or {} when tags do not
    move the minutes bound for `category`."""
    tagged = _tagged(scheme, category)
    if tagged is None:
        return {}
    found = crosswalks.reached(facts.tags, tagged["framework"], tagged.get("related", False))
    return {code: steps for code, steps in found.items() if code in tagged["map"]}


def _area_weights(scheme, category, facts, crosswalks) -> dict[str, int]:
    """{area (leaf category): number of codes reaching it}, in the scheme's order."""
    mapped = scheme.allocation.get("competencies", {}).get("map", {})
    codes = _reached(scheme, category, facts, crosswalks)
    areas = [mapped[code] for code in codes]
    return {leaf.code: areas.count(leaf.code) for leaf in scheme.leaves() if leaf.code in areas}


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


def explain_default(
    scheme: SchemeRules, facts: ActivityFacts, crosswalks: CrosswalkMap = NO_CROSSWALKS
) -> str:
    """Why the default split is what it is, in one sentence for the cycle page."""
    rules = scheme.allocation
    split = default_split(scheme, facts, crosswalks)
    if not split:
        return f"Activities of kind “{facts.kind.replace('_', ' ')}” do not count in this scheme."
    names = ", ".join(_name(scheme, code) for code in split)
    if "participatory" in rules:
        how = "participatory" if facts.participatory else "not marked participatory"
        return f"The activity is {how}, so it counts as {names}."
    reached = _reached(scheme, default_category(scheme, facts), facts, crosswalks)
    if any(step for steps in reached.values() for step in steps):
        return _crosswalk_reason(scheme, reached)
    if reached:
        return f"Tagged {names}: the minutes go there, split evenly when there are several tags."
    return f"A “{facts.kind.replace('_', ' ')}” counts as {names} by the scheme's rules."


def _crosswalk_reason(scheme: SchemeRules, reached: dict[str, list[Step | None]]) -> str:
    """Each way a tag reaches an area, each tag named once per area: “STK.3 Influencing and
    negotiation → Power Skills (PMO framework crosswalk)”, or “TT.PS → Power Skills (tagged)”
    for a tag in the scheme's own framework."""
    mapped = scheme.allocation["competencies"]["map"]
    order = {leaf.code: n for n, leaf in enumerate(scheme.leaves())}
    paths: dict[tuple, str] = {}
    for code, steps in sorted(reached.items(), key=lambda item: order[mapped[item[0]]]):
        area = scheme.category(mapped[code]).name
        for step in steps:
            if step is None:
                paths.setdefault((area, code), f"{code} → {area} (tagged)")
            else:
                tag = " ".join(filter(None, (step.tag[1], step.tag_name)))
                paths.setdefault((area, step.tag), f"{tag} → {area} ({step.crosswalk_name})")
    several = len({mapped[code] for code in reached}) > 1
    how = (
        "the areas share the minutes in proportion to the tags reaching each"
        if several
        else "the minutes go there"
    )
    return f"{'; '.join(paths.values())}: {how}."


def _name(scheme: SchemeRules, code: str) -> str:
    category = scheme.category(code)
    if category is None:
        return code
    parent = scheme.category(category.parent) if category.parent else None
    return f"{parent.name} › {category.name}" if parent else category.name
