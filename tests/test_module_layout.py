"""The layout rules of ARCHITECTURE.md and STYLE.md that code review alone would let slip."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in ("watchlist", "crawlers"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports, at the top or inside functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & set(known)
            out.update(subs if len(subs) == len(node.names) else {node.module, *subs})
    return out


def test_no_module_of_watchlist_or_crawlers_takes_part_in_an_import_cycle() -> None:
    known = modules()
    graph = {name: imports(path, known) & set(known) - {name} for name, path in known.items()}
    cycles: list[list[str]] = []
    for start in graph:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(trail)
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c) for c in cycles)


def test_only_the_crawl_side_imports_scrapy() -> None:
    known = modules()
    offenders = [
        name
        for name, path in known.items()
        if name.startswith("watchlist.")
        and any(m == "scrapy" or m.startswith("scrapy.") for m in imports(path, known))
    ]
    assert offenders == []
