"""Size limits of the package's code: no class over 250 lines, no function over 60 lines or with more than 12
parameters.

A ratchet: `KNOWN` lists the code over a limit today with its size, which may only shrink: the test fails on new
code over a limit, on an entry that grew, and on an entry no longer over its limit (remove it). Empty, it is the
plain rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import picks_export

LIMITS = {"class lines": 250, "function lines": 60, "parameters": 12}

# "module path: qualified name": {measure: size today}.
KNOWN: dict[str, dict[str, int]] = {}


def measures(tree: ast.AST, scope: str = "") -> Iterator[tuple[str, str, int]]:
    """(qualified name, measure, size) of every class and function under `tree`, nested ones included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{scope}{node.name}"
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if isinstance(node, ast.ClassDef):
                yield name, "class lines", lines
            else:
                arguments = node.args
                count = len(arguments.posonlyargs) + len(arguments.args) + len(arguments.kwonlyargs)
                count += (arguments.vararg is not None) + (arguments.kwarg is not None)
                yield name, "function lines", lines
                yield name, "parameters", count
            yield from measures(node, f"{name}.")
        else:
            yield from measures(node, scope)


def over_limits() -> dict[str, dict[str, int]]:
    root = Path(picks_export.__file__).parent
    found: dict[str, dict[str, int]] = {}
    for file in sorted(root.rglob("*.py")):
        module = file.relative_to(root.parent).as_posix()
        for name, measure, size in measures(ast.parse(file.read_text(), str(file))):
            if size > LIMITS[measure]:
                found.setdefault(f"{module}: {name}", {})[measure] = size
    return found


def test_no_code_grows_past_the_limits():
    found = over_limits()
    new = {key: sizes for key, sizes in found.items() if key not in KNOWN}
    assert not new, f"over the limits {LIMITS}: {new}"
    grown = {
        key: (KNOWN[key], sizes)
        for key, sizes in found.items()
        if any(size > KNOWN[key].get(measure, LIMITS[measure]) for measure, size in sizes.items())
    }
    assert not grown, f"grew (known size, now): {grown}"


def test_the_known_list_holds_only_code_still_over_a_limit():
    """Brought under its limit, renamed or gone: its entry goes, so that the list stays the list of work left."""
    found = over_limits()
    stale = {
        key: [measure for measure in sizes if measure not in found.get(key, {})]
        for key, sizes in KNOWN.items()
        if any(measure not in found.get(key, {}) for measure in sizes)
    }
    assert not stale, f"no longer over the limit, remove from KNOWN: {stale}"


def test_the_measures_count_what_the_limits_say():
    tree = ast.parse(
        "class A:\n"
        "    def f(self, a, /, b, *c, d, **e):\n"
        "        def g():\n"
        "            pass\n"
        "        return g\n"
        "if True:\n"
        "    async def h(x):\n"
        "        pass\n"
    )
    assert sorted(measures(tree)) == [
        ("A", "class lines", 5),
        ("A.f", "function lines", 4),
        ("A.f", "parameters", 6),
        ("A.f.g", "function lines", 2),
        ("A.f.g", "parameters", 0),
        ("h", "function lines", 2),
        ("h", "parameters", 1),
    ]
