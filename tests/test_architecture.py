"""The layering of docs/architecture.md, checked on the source: the engine imports nothing
above it, the package works without pytest, and every hook module is registered."""
from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys

import pytest_kustomize
from pytest_kustomize import plugin

PKG = os.path.dirname(os.path.abspath(pytest_kustomize.__file__))
ROOT = os.path.dirname(PKG)
# what the engine may import of the package: itself, the errors, and the tool locator
ENGINE_MAY_IMPORT = ("pytest_kustomize.engine", "pytest_kustomize.errors", "pytest_kustomize.tools")


def _modules() -> dict:
    mods = {}
    for dirpath, _dirs, files in os.walk(PKG):
        for f in files:
            if f.endswith(".py"):
                path = os.path.join(dirpath, f)
                name = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                mods[name.removesuffix(".__init__")] = path
    return mods


def _native_modules() -> set:
    """The C extensions (engine/_*.c): modules that import nothing of the package."""
    return {os.path.relpath(os.path.join(d, f), ROOT)[:-2].replace(os.sep, ".")
            for d, _dirs, files in os.walk(PKG) for f in files if f.endswith(".c")}


def _imports(name: str, path: str) -> list:
    """(imported module name, line) of every import in the file, relative ones resolved."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out += [(target + "." + a.name if node.module is None else target, node.lineno)
                    for a in node.names]
    return out


def test_the_engine_imports_nothing_above_it():
    bad = []
    for name, path in _modules().items():
        if not name.startswith("pytest_kustomize.engine"):
            continue
        for target, line in _imports(name, path):
            if target.split(".")[0] == "pytest" or (
                    target.startswith("pytest_kustomize") and
                    not any(target == p or target.startswith(p + ".")
                            for p in ENGINE_MAY_IMPORT)):
                bad.append("%s:%d imports %s" % (os.path.relpath(path, ROOT), line, target))
    assert not bad, "\n".join(bad)


def test_only_the_pytest_layer_imports_pytest_at_module_level():
    bad = []
    for name, path in _modules().items():
        if name.startswith("pytest_kustomize.hooks"):
            continue
        tree = ast.parse(open(path, encoding="utf-8").read())
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("pytest", "_pytest") for n in names):
                bad.append("%s:%d" % (os.path.relpath(path, ROOT), node.lineno))
    assert not bad, bad


def test_the_package_works_without_pytest():
    """Every module outside the pytest layer imports, and a render is built, queried, asserted
    on, diffed and validated, with pytest made unimportable."""
    mods = sorted(n for n in _modules() if not n.startswith("pytest_kustomize.hooks")
                  and n not in ("pytest_kustomize.plugin", "pytest_kustomize.__main__"))
    code = "\n".join([
        "import importlib, sys",
        "sys.modules['pytest'] = None",          # import pytest now raises ImportError
        "for m in %r: importlib.import_module(m)" % mods,
        "import pytest_kustomize as pk",
        "from pytest_kustomize import assertions, diff, validation",
        "res = pk.build('examples/shop/overlays/production')",
        "web = res.get('Deployment', 'web')",
        "assertions.assert_field(web, 'spec.replicas', 3)",
        "assert 'replicas' in str(diff.diff(pk.build('examples/shop/overlays/staging'), res))",
        "assert validation.validate(res, validator='jsonschema').ok",
        "print('ok', 'pytest' in sys.modules and sys.modules['pytest'] is not None)",
    ])
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["ok", "False"]


def _cycles(graph: dict) -> list:
    """Strongly connected groups of more than one module: scripts/importgraph.py's Tarjan,
    loaded by path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "_importgraph", os.path.join(ROOT, "scripts", "importgraph.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.cycles(graph)


def test_no_import_cycles_and_few_function_local_imports():
    """A cycle hidden behind a function-local import is still a cycle; local imports of the
    package's own modules are kept for lazy loading of heavy optional parts only."""
    mods = _modules()
    graph, local = {}, []
    native = _native_modules()
    for name, path in mods.items():
        targets = set()
        for target, _line in _imports(name, path):
            while target and target not in mods and target not in native:
                target = target.rpartition(".")[0]
            if target and target != name:
                targets.add(target)
        graph[name] = targets
        tree = ast.parse(open(path, encoding="utf-8").read())
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and (
                            node.level or (node.module or "").startswith("pytest_kustomize")):
                        local.append("%s:%d" % (os.path.relpath(path, ROOT), node.lineno))
    graph.update((name, set()) for name in native)
    assert _cycles(graph) == []
    assert len(local) <= 10, local


def test_every_hook_module_is_registered():
    hooks = sorted("pytest_kustomize.hooks." + f[:-3]
                   for f in os.listdir(os.path.join(PKG, "hooks"))
                   if f.endswith(".py") and f not in ("__init__.py", "options.py"))
    assert sorted(plugin.pytest_plugins) == hooks


def test_every_module_is_listed_in_docs_architecture():
    doc = open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8").read()
    missing = sorted(os.path.relpath(p, PKG) for p in _modules().values()
                     if "`%s`" % os.path.relpath(p, PKG).replace(os.sep, "/") not in doc)
    assert not missing, "add a one-line job to docs/architecture.md for: %s" % missing


def test_no_module_over_450_lines():
    big = {}
    for path in _modules().values():
        with open(path, encoding="utf-8") as f:
            n = sum(1 for _ in f)
        if n > 450:
            big[os.path.relpath(path, ROOT)] = n
    assert not big, big


# the engine reads files only through the seam (engine/fs.py, reached through the Loader);
# these read the package's own data or write helm's values file into helm's temp directory
# memo._stamp: stat stamps of disk inputs (the memo is only used with DISK), not a read
SEAM_EXEMPT = {("fieldspec.py", "_load_data"), ("schema.py", "default"), ("helm.py", "inflate"),
               ("memo.py", "_stamp")}
_FILE_CALLS = {"listdir", "scandir", "walk", "stat", "lstat", "exists", "isdir", "isfile",
               "islink", "realpath", "readlink", "getsize", "read_text", "read_bytes"}


def test_the_engine_reads_files_only_through_the_seam():
    bad = []
    for name, path in _modules().items():
        if not name.startswith("pytest_kustomize.engine") or name == "pytest_kustomize.engine.fs":
            continue
        tree = ast.parse(open(path, encoding="utf-8").read())
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                direct = isinstance(f, ast.Name) and f.id == "open"
                via_os = isinstance(f, ast.Attribute) and f.attr in _FILE_CALLS and \
                    ast.unparse(f.value) in ("os", "os.path", "pathlib", "Path", "shutil")
                if (direct or via_os) and (os.path.basename(path), fn.name) not in SEAM_EXEMPT:
                    bad.append("%s:%d %s" % (os.path.relpath(path, ROOT), node.lineno,
                                             ast.unparse(f)))
    assert not bad, bad
