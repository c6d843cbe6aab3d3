#!/usr/bin/env python3
"""Print the import graph of the pytest_kustomize package: for every module the package's own
modules it imports, then the import cycles, the function-local imports of own modules and the
modules over the line limit. Reads the source only (nothing is imported).

    python3 scripts/importgraph.py [--root DIR] [--summary] [--limit 450]

DIR is the directory holding ``pytest_kustomize/`` (default: this checkout), so the graph of
another commit is ``git archive COMMIT | tar -x -C /tmp/x`` then ``--root /tmp/x``.
"""
from __future__ import annotations

import argparse
import ast
import os
import sys

PACKAGE = "pytest_kustomize"


def modules(root: str) -> dict:
    """Dotted module name -> file path, for every .py file of the package."""
    pkg = os.path.join(root, PACKAGE)
    mods = {}
    for dirpath, _dirs, files in os.walk(pkg):
        for f in sorted(files):
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                name = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
                mods[name.removesuffix(".__init__")] = path
    return mods


def _resolve(name: str, path: str, node) -> list:
    """Absolute names an import statement refers to (``from . import x`` -> pkg.x)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    if node.level:
        parts = package.split(".")
        base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    # (a package's __init__ runs before its submodules anyway: ``from . import x`` is an
    # edge to x only; ``from .x import y`` to x, or to x.y when that is a module)
    return [base + "." + a.name for a in node.names]


def analyse(root: str) -> dict:
    mods = modules(root)
    graph, local, lines = {}, [], {}
    for name, path in mods.items():
        text = open(path, encoding="utf-8").read()
        lines[name] = text.count("\n")
        tree = ast.parse(text, path)
        in_function = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                in_function.update(id(n) for n in ast.walk(fn)
                                   if isinstance(n, (ast.Import, ast.ImportFrom)))
        targets = set()
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            own = set()
            for target in _resolve(name, path, node):
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    own.add(target)
            targets |= own
            if own and id(node) in in_function:
                local.append("%s:%d -> %s" % (os.path.relpath(path, root), node.lineno,
                                              ", ".join(sorted(own))))
        graph[name] = targets
    return {"graph": graph, "local": local, "lines": lines, "cycles": cycles(graph)}


def cycles(graph: dict) -> list:
    """Strongly connected groups of more than one module (iterative Tarjan)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        out.append(sorted(group))
    return out


def _short(name: str) -> str:
    return name[len(PACKAGE) + 1:] if name.startswith(PACKAGE + ".") else name


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--summary", action="store_true", help="only the counts and findings")
    ap.add_argument("--limit", type=int, default=450, help="line limit per module")
    args = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(args.root, PACKAGE)):
        print("importgraph: no %s/ under %s" % (PACKAGE, args.root), file=sys.stderr)
        return 2
    a = analyse(args.root)
    graph = a["graph"]
    if not args.summary:
        for name in sorted(graph):
            print("%s -> %s" % (_short(name), ", ".join(_short(t) for t in sorted(graph[name]))
                                or "-"))
        print()
    big = sorted((n for n, c in a["lines"].items() if c > args.limit), key=lambda n: -a["lines"][n])
    print("modules: %d, own-module import edges: %d" % (len(graph),
                                                        sum(len(t) for t in graph.values())))
    print("import cycles: %d" % len(a["cycles"]))
    for group in a["cycles"]:
        print("  " + " <-> ".join(_short(m) for m in group))
    print("function-local imports of own modules: %d" % len(a["local"]))
    for loc in a["local"]:
        print("  " + loc)
    print("modules over %d lines: %d" % (args.limit, len(big)))
    for n in big:
        print("  %s (%d)" % (_short(n), a["lines"][n]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
