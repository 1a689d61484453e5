"""cpd_log/routing.py: every route's URLs, built lazily, are exactly Werkzeug's own."""

from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import NumberConverter

from cpd_log import create_app
from cpd_log.routing import LazyBuilderRule

APP = create_app("testing", overrides={"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def _values(rule) -> dict:
    """A value for each argument that its converter accepts ("a b/é" where any text is)."""
    return {
        name: 7 if isinstance(converter, NumberConverter) else "a b/é"
        for name, converter in rule._converters.items()
    }


def _werkzeugs(rule) -> Rule:
    plain = Rule(rule.rule, endpoint=rule.endpoint, defaults=rule.defaults, methods=rule.methods)
    Map([plain], converters=APP.url_map.converters)
    return plain


def test_the_app_registers_lazy_rules():
    # All but `static`, which Flask adds before create_app can choose the class.
    rules = [rule for rule in APP.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(rules) > 100 and all(isinstance(rule, LazyBuilderRule) for rule in rules)


def test_every_rule_builds_the_url_werkzeug_builds():
    for rule in APP.url_map.iter_rules():
        values = _values(rule)
        plain = _werkzeugs(rule)
        # Twice: the first call compiles and swaps in the builder, the second uses it.
        for _ in range(2):
            assert rule.build(values) == plain.build(values), rule.rule
            extra = {**values, "page": 2, "q": "x&y"}
            assert rule.build(extra, append_unknown=True) == plain.build(extra), rule.rule
            assert rule.build(extra, append_unknown=False) == plain.build(
                extra, append_unknown=False
            )


def test_url_for_in_a_request_uses_them():
    with APP.test_request_context():
        from flask import url_for

        assert url_for("activities.detail", activity_id=5, q="a b") == "/activities/5?q=a+b"
        assert url_for("static", filename="a b.css") == "/static/a%20b.css"
