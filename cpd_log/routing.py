"""URL rules whose `url_for` builders are compiled on first use.

Werkzeug compiles two Python functions per rule (with `ast` and `compile`) the moment the rule is
registered: about 70 % of `create_app`'s own time with this app's 150-odd routes, paid by every
gunicorn worker, every `flask` command and every test's app, for builders most rules never need
in that process. Here each builder is compiled the first time `url_for` asks that rule for a URL,
then replaces itself on the rule; the URLs are Werkzeug's own (tests/test_routing.py).
"""

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        compile_now = super()._compile_builder
        name = "_build_unknown" if append_unknown else "_build"

        def build(rule: Rule, **values):
            # Rule.compile binds what this returns to the rule, so `rule` is self. Two threads
            # compiling at once both store the same builder.
            compiled = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, name, compiled)
            return compiled(**values)

        return build
