"""The YAML floor, real-world CRD directories rendered cold, and CLI start-up: the rows of
benchmarks/run.py that say where the engine's time goes.

- floor(dirs): in a fresh interpreter, the engine's render of each directory (cold: the
  first render, then warm: best of --repeat) against PyYAML's libyaml loader and dumper on
  the same output text (the "YAML floor": what parsing and printing those bytes costs with
  the C library the engine uses), and the engine's own reader and printer on that text.
- realworld_dirs(root): kubebuilder-style ``config/crd`` bases (large CRDs) of the real-world
  corpus (PYTEST_KUSTOMIZE_REALWORLD, default /work/corpora/realworld; fetched public
  repositories, see tests/realworld/repos.txt), rendered cold in one interpreter against
  one ``kubectl kustomize`` process per directory.
- startup(): wall and CPU time of ``python -m pytest_kustomize build`` of the seed overlay
  against ``kubectl kustomize`` and a bare ``python -c pass``.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from benchlib import bytecode_cached

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REALWORLD = os.environ.get("PYTEST_KUSTOMIZE_REALWORLD") or "/work/corpora/realworld"

FLOOR = r"""
import json, sys, time
import yaml
import pytest_kustomize
from pytest_kustomize.engine import yamlio
repeat, dirs = int(sys.argv[1]), sys.argv[2:]
L = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
D = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

def best(fn):
    b = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        b = min(b, time.perf_counter() - t)
    return b

out = dict.fromkeys(("cold", "warm", "load", "dump", "read", "print", "bytes"), 0.0)
texts = []
for d in dirs:
    t = time.perf_counter()
    texts.append(pytest_kustomize.build(d).to_yaml())
    out["cold"] += time.perf_counter() - t
for d, text in zip(dirs, texts):
    docs = list(yaml.load_all(text, Loader=L))
    out["bytes"] += len(text.encode())
    out["warm"] += best(lambda: pytest_kustomize.build(d).to_yaml())
    out["load"] += best(lambda: list(yaml.load_all(text, Loader=L)))
    out["dump"] += best(lambda: yaml.dump_all(docs, Dumper=D, sort_keys=True))
    out["read"] += best(lambda: yamlio.load_documents(text))
    out["print"] += best(lambda: yamlio.dump_documents(docs))
print(json.dumps(out))
"""

RENDER_ALL = r"""
import sys
import pytest_kustomize
for d in sys.argv[1:]:
    pytest_kustomize.build(d).to_yaml()
"""


def floor(dirs: list, repeat: int) -> dict:
    """Seconds summed over ``dirs`` (see the module docstring), in a fresh interpreter."""
    p = subprocess.run([sys.executable, "-c", FLOOR, str(repeat)] + list(dirs),
                       capture_output=True, text=True, cwd=ROOT)
    if p.returncode != 0:
        raise RuntimeError("floor measurement failed: %s" % p.stderr[-300:])
    return json.loads(p.stdout)


def realworld_dirs(root: str = REALWORLD) -> list:
    """Every ``config/crd`` kustomization directory (kubebuilder's CRD bases) under
    ``root``, sorted; [] when the corpus is absent."""
    out = []
    if not os.path.isdir(root):
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        if ("/config/crd" in "/" + rel) and any(
                f in filenames for f in ("kustomization.yaml", "kustomization.yml",
                                         "Kustomization")):
            out.append(dirpath)
    return sorted(out)


_CPU = [0.0]      # user+sys seconds of the children run by _wall, summed


def _wall(argv) -> float:
    """Wall seconds of one run of argv (-1 when it fails); its CPU time goes to _CPU."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    took = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU[0] += r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    return took if p.returncode == 0 else -1.0


def realworld(dirs: list, kustomize: str | None = None) -> dict:
    """One kubectl (and kustomize v5.8.1) process per directory (directories kubectl
    refuses are dropped) against one interpreter rendering all the rest cold (its start-up
    and imports included)."""
    kept, k_total, k_cpu = [], 0.0, 0.0
    for d in dirs:
        c0 = _CPU[0]
        k = _wall(["kubectl", "kustomize", d])
        if k >= 0:
            kept.append(d)
            k_total += k
            k_cpu += _CPU[0] - c0
    if not kept:
        return {}
    z_total = sum(max(_wall([kustomize, "build", d]), 0.0) for d in kept) if kustomize \
        else None
    argv = [sys.executable, "-c", RENDER_ALL] + kept
    c0 = _CPU[0]
    e_total = _wall(argv)
    if e_total < 0:
        raise RuntimeError("the engine failed on a directory kubectl builds")
    e_cpu = _CPU[0] - c0
    with bytecode_cached():
        _wall(argv)                                     # writes the bytecode caches
        e_cached = min(_wall(argv) for _ in range(3))
    return {"dirs": kept, "dropped": len(dirs) - len(kept), "kubectl": k_total,
            "kustomize": z_total, "engine": e_total, "kubectl_cpu": k_cpu,
            "engine_cpu": e_cpu, "engine_cached": e_cached}


def _times(argv, n: int) -> tuple:
    """(best wall, best user+sys CPU) of ``n`` runs of argv."""
    walls, cpus = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return min(walls), min(cpus)


def startup(seed: str, n: int) -> dict:
    """Best wall / CPU seconds of the CLI's build of ``seed`` (in this environment, and with
    bytecode caches written as an installed package has them), kubectl's, and a bare
    interpreter's (what any Python CLI pays before its first import)."""
    argv = [sys.executable, "-m", "pytest_kustomize", "build", "-o", os.devnull, seed]
    out = {"cli": _times(argv, n)}
    with bytecode_cached():
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)   # writes the caches
        out["cli_cached"] = _times(argv, n)
    out["kubectl"] = _times(["kubectl", "kustomize", seed], n)
    out["python"] = _times([sys.executable, "-c", "pass"], n)
    out["bytecode_off"] = os.environ.get("PYTHONDONTWRITEBYTECODE", "") != ""
    return out


def floor_lines(rows: list) -> list:
    """Markdown lines of the YAML-floor table; rows: (label, floor() result)."""
    lines = ["", "## The YAML floor", "",
             "PyYAML's libyaml loader and dumper on the same output text are the floor of the "
             "YAML layer the engine uses; the engine's own reader (kyaml's scalar rules on "
             "libyaml's parser) and printer (go-yaml v2's layout) are timed on that text too. "
             "Cold: the first render in a fresh interpreter (files not yet parsed); warm: best "
             "of --repeat after it.", "",
             "| input | output | libyaml load | libyaml dump | engine reader | engine printer "
             "| render cold | render warm | cold / floor | warm / floor |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, f in rows:
        fl = f["load"] + f["dump"]
        lines.append("| %s | %.2f MB | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | %.3f s | "
                     "%.2f× | %.2f× |" % (label, f["bytes"] / 1e6, f["load"], f["dump"],
                                          f["read"], f["print"], f["cold"], f["warm"],
                                          f["cold"] / fl, f["warm"] / fl))
    return lines


def startup_lines(s: dict) -> list:
    return ["", "## CLI start-up", "",
            "`python -m pytest_kustomize build -o /dev/null examples/overlays/production`, "
            "best of the runs (wall, and user+sys CPU of the process).", "",
            "| command | wall | CPU |", "| --- | --- | --- |",
            "| pytest-kustomize build (seed)%s | %.3f s | %.3f s |"
            % (((", PYTHONDONTWRITEBYTECODE set: every import compiles"
                if s.get("bytecode_off") else ""),) + s["cli"]),
            "| pytest-kustomize build (seed), bytecode cached (as installed) | %.3f s | %.3f s |"
            % s["cli_cached"],
            "| kubectl kustomize (seed) | %.3f s | %.3f s |" % s["kubectl"],
            "| python -c pass (interpreter alone) | %.3f s | %.3f s |" % s["python"]]
