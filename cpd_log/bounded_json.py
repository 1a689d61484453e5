"""JSON from a user's file with its nesting bounded (issue 10, defect 10).

`json.loads` recurses once per level and raises RecursionError near Python's recursion limit
(about 1,000 levels: a 2 KB file of brackets), and any later recursive walk over what it returned
(our code, `json.dumps`, a JSON column) fails the same way a little lower. So RecursionError from
the parser is a refusal, and what it returns is measured without recursion and refused past
MAX_DEPTH levels, far deeper than any badge or framework file (they nest 4 to 6 levels).
"""

import json

MAX_DEPTH = 64


class JsonTooDeep(ValueError):
    """The JSON nests deeper than allowed; the message is for the user."""


def loads(text: str, max_depth: int = MAX_DEPTH):
    """json.loads, with JsonTooDeep past `max_depth` levels (JSONDecodeError as usual)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeep(_message(max_depth)) from None
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > max_depth:
                    raise JsonTooDeep(_message(max_depth))
                stack.append((child, depth + 1))
    return value


def _message(max_depth: int) -> str:
    return f"The file nests more than {max_depth} levels deep; no badge or framework file does."
