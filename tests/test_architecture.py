"""The package's shape (ARCHITECTURE.md): no import cycles, pure packages stay pure,
small modules, and one fragment mechanism."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "absolvent"
PURE = ("absolvent.rules", "absolvent.documents.render", "absolvent.guided_forms.engine",
        "absolvent.measures.survey_results", "absolvent.exports",
        "absolvent.imports.parse")
FRAMEWORKS = ("flask", "flask_login", "flask_wtf", "htmx_flask", "peewee", "playhouse", "werkzeug")


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name, path):
    """Every module ``name`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:  # a submodule, else a name defined in ``base``
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return found


def _graph():
    """Import edges between the package's own modules (submodules, not packages' __init__)."""
    graph = {}
    for name, path in MODULES.items():
        targets = {t for t in _imports(name, path) if t in MODULES and t != name}
        # importing a package only runs its __init__; count that edge only when it has code
        graph[name] = {t for t in targets if MODULES[t].name != "__init__.py" or _has_code(MODULES[t])}
    return graph


def _has_code(path):
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return any(not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)) for n in body)


def _cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycles():
    assert _cycle(_graph()) is None


def test_cycle_detection_can_fail():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("pure", PURE)
def test_pure_packages_import_no_framework(pure):
    modules = {n: p for n, p in MODULES.items() if n == pure or n.startswith(pure + ".")}
    assert modules, pure
    for name, path in modules.items():
        for target in _imports(name, path):
            assert target.split(".")[0] not in FRAMEWORKS, f"{name} imports {target}"
            if target.startswith("absolvent."):
                allowed = (*PURE, "absolvent.formats")
                assert target.startswith(allowed), f"{name} imports {target}"


def test_modules_stay_small():
    big = {n: len(p.read_text(encoding="utf-8").splitlines()) for n, p in MODULES.items()}
    assert {n: lines for n, lines in big.items() if lines > 400} == {}


def test_no_handler_reads_htmx_headers_by_hand():
    offenders = [n for n, p in MODULES.items()
                 if n != "absolvent.web" and "HX-Request" in p.read_text(encoding="utf-8")]
    assert offenders == []
