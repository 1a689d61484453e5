"""SQL text helpers."""


def escape_like(text: str) -> str:
    """`text` as a literal inside a LIKE pattern, for use with `escape="\\\\"`."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
