"""How the modules of cpd_log/ may import each other, read from the source with `ast`.

- No module uses another module's private (underscore) name: `from X import _name` or `X._name`.
  A helper two modules need is public, in the module its concept belongs to (cpd_log/common/ for
  the small shared ones).
- No circle of module-level imports: a circle makes the import order decide what works.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "cpd_log"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _absolute(node: ast.ImportFrom, module: str, path: Path) -> str:
    """The module an ImportFrom names, with relative imports resolved against `module`."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _dotted(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _private_uses(module: str, path: Path, modules: dict) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, bound = [], {}  # bound: local name -> the cpd_log module it refers to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, path)
            for alias in node.names:
                if source in modules and source != module and _private(alias.name):
                    found.append(f"{module}:{node.lineno} from {source} import {alias.name}")
                if f"{source}.{alias.name}" in modules:
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = _dotted(node.value)
            if owner is None or owner.split(".")[0] not in bound:
                continue
            head, *rest = owner.split(".")
            target = ".".join([bound[head], *rest])
            if target in modules and target != module:
                found.append(f"{module}:{node.lineno} {owner}.{node.attr}")
    return found


def _module_level_imports(module: str, path: Path, modules: dict) -> set[str]:
    targets = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, path)
            for alias in node.names:
                full = f"{source}.{alias.name}"
                targets.add(full if full in modules else source)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return {target for target in targets if target in modules and target != module}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def test_no_module_uses_another_modules_private_name():
    modules = _modules()
    found = [use for name, path in modules.items() for use in _private_uses(name, path, modules)]
    assert found == []


def test_no_circle_of_module_level_imports():
    modules = _modules()
    graph = {name: _module_level_imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_checks_see_what_they_look_for(tmp_path):
    """The checks themselves: a private import, a private attribute and a circle are all found."""
    modules = {"pkg.a": tmp_path / "a.py", "pkg.b": tmp_path / "b.py"}
    modules["pkg.a"].write_text("from pkg.b import _hidden\nfrom pkg import b\nb._other()\n")
    modules["pkg.b"].write_text("import pkg.a\n\n\ndef _hidden():\n    pkg.a._x\n")
    uses = [u for name, path in modules.items() for u in _private_uses(name, path, modules)]
    assert uses == ["pkg.a:1 from pkg.b import _hidden", "pkg.a:3 b._other", "pkg.b:5 pkg.a._x"]
    graph = {name: _module_level_imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]
