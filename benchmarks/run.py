#!/usr/bin/env python3
"""Benchmark the engine against `kubectl kustomize` and kustomize v5.8.1, in one run on one
machine, and write docs/performance.md.

    python benchmarks/run.py                       # seed, examples, corpus, 500/2000/8000
    python benchmarks/run.py --sizes 500 2000 --kubectl-max 2000
    python benchmarks/run.py --only-floor       # heavy overlay, real-world CRDs, YAML floor, CLI

Engine times are in-process renders (best of --repeat after one warm-up, in a fresh
interpreter per input: what a test session pays); kubectl and kustomize are subprocesses
(best of --repeat; one run on generated trees of 2,000 resources and more). Peak memory is
the maximum RSS of one render in a fresh process for all three.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "performance.md")
CORPUS = os.environ.get("KUSTOMIZE_CONFORMANCE_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "conformance")


ENGINE_TIMER = r"""
import sys, time
import pytest_kustomize
path, repeat = sys.argv[1], int(sys.argv[2])
pytest_kustomize.build(path).to_yaml()
best, spent, runs = float("inf"), 0.0, 0
while runs < repeat or (spent < 1.0 and runs < 1000):   # small inputs: at least 1 s of runs
    t = time.perf_counter()
    pytest_kustomize.build(path).to_yaml()
    took = time.perf_counter() - t
    best, spent, runs = min(best, took), spent + took, runs + 1
print(best)
"""


def engine_time(path: str, repeat: int) -> float:
    """Best of ``repeat`` in-process renders (+ YAML output; more runs, up to 1 s, for small
    inputs, as timeit does) after one warm-up, in a fresh interpreter so every input starts
    from the same clean heap."""
    out = subprocess.run([sys.executable, "-c", ENGINE_TIMER, path, str(repeat)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError("engine failed on %s: %s" % (path, out.stderr[-300:]))
    return float(out.stdout)


def corpus_engine_time(dirs) -> float:
    """One warm render per corpus case, summed (one interpreter for the whole corpus)."""
    code = ("import sys,time,pytest_kustomize\nds=sys.argv[1:]\ntotal=0.0\nfor d in ds:\n"
            "    pytest_kustomize.build(d).to_yaml()\n    t=time.perf_counter()\n"
            "    pytest_kustomize.build(d).to_yaml()\n    total+=time.perf_counter()-t\n"
            "print(total)")
    out = subprocess.run([sys.executable, "-c", code] + dirs, capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return float(out.stdout)


def _child(argv) -> tuple:
    """(seconds, peak RSS in MB) of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (argv[0], p.stderr.decode()[-300:]))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024.0


def tool_time(argv, repeat: int) -> float:
    return min(_child(argv)[0] for _ in range(repeat))


def peak_rss(argv) -> tuple:
    """(seconds, peak RSS in MB) of one fresh process running argv (measured in a wrapper
    so the maxima of earlier children do not leak in)."""
    code = ("import resource,subprocess,sys,time;t=time.perf_counter();subprocess.run("
            "sys.argv[1:],stdout=subprocess.DEVNULL,check=True);print(time.perf_counter()-t,"
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code] + argv, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024.0


def engine_argv(path):
    return [sys.executable, "-m", "pytest_kustomize", "build", "-o", os.devnull, path]


def corpus_dirs() -> list:
    import yaml
    out = []
    cases = os.path.join(CORPUS, "cases")
    for name in sorted(os.listdir(cases)):
        meta = yaml.safe_load(open(os.path.join(cases, name, "case.yaml")))
        if meta["expect"] != "output" or meta.get("options") or meta.get("memfs_root_escape") \
                or meta.get("oracle") != "match":
            continue
        out.append(os.path.normpath(os.path.join(cases, name, "input", meta["build_dir"])))
    return out


def _is_component(path: str) -> bool:
    import yaml
    with open(os.path.join(path, "kustomization.yaml"), encoding="utf-8") as f:
        return (yaml.safe_load(f) or {}).get("kind") == "Component"


def main(argv=None) -> int:
    from pytest_kustomize.tools import find_tool
    from gentree import generate
    import floor as fl
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[500, 2000, 8000])
    ap.add_argument("--kubectl-max", type=int, default=8000,
                    help="skip kubectl on generated trees larger than this")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-wholerepo", action="store_true",
                    help="skip benchmarks/wholerepo.py (build --all of 300 overlays)")
    ap.add_argument("--no-xdist", action="store_true",
                    help="skip benchmarks/xdist_gate.py (a gate serially and with -n 2)")
    ap.add_argument("--realworld", default=fl.REALWORLD,
                    help="real-world corpus root (config/crd directories; rows skipped when "
                    "absent; env PYTEST_KUSTOMIZE_REALWORLD)")
    ap.add_argument("--startup-runs", type=int, default=10)
    ap.add_argument("--only-floor", action="store_true",
                    help="only the heavy overlay, real-world, YAML-floor and start-up rows")
    args = ap.parse_args(argv)
    kustomize = find_tool("kustomize")
    rows = []

    def measure(label, path, repeat, with_kubectl=True, mem=False):
        e = engine_time(path, repeat)
        m = {}
        k = z = None
        if mem:
            # one timed run per tool that also gives its peak memory (big trees are slow)
            m["engine"] = peak_rss(engine_argv(path))[1]
            if with_kubectl:
                k, m["kubectl"] = peak_rss(["kubectl", "kustomize", path])
            if kustomize:
                z, m["kustomize"] = peak_rss([kustomize, "build", path])
        else:
            k = tool_time(["kubectl", "kustomize", path], repeat) if with_kubectl else None
            z = tool_time([kustomize, "build", path], repeat) if kustomize else None
        rows.append((label, e, k, z, m))
        print("%-28s engine %8.4fs  kubectl %s  kustomize %s  %s" % (
            label, e, "%.3fs" % k if k else "-", "%.3fs" % z if z else "-",
            " ".join("%s=%.0fMB" % kv for kv in m.items())), flush=True)

    floors, extra = [], []
    seed = os.path.join(ROOT, "examples", "overlays", "production")
    if not args.only_floor:
        extra += _standard_rows(args, measure, rows, kustomize, generate, floors, fl)
    with tempfile.TemporaryDirectory() as tmp:
        heavy = generate(os.path.join(tmp, "heavy"), 500, suffix="-v1")
        measure(HEAVY, heavy, args.repeat)
        floors.append((HEAVY, fl.floor([heavy], args.repeat)))
    crd_dirs = fl.realworld_dirs(args.realworld)
    rw = fl.realworld(crd_dirs, kustomize) if crd_dirs else {}
    if rw:
        label = "real-world config/crd bases (%d dirs, cold, one interpreter)" % len(rw["dirs"])
        rows.append((label, rw["engine"], rw["kubectl"], rw["kustomize"], {}))
        rows.append(("same, with bytecode caches as installed (best of 3)",
                     rw["engine_cached"], rw["kubectl"], rw["kustomize"], {}))
        print("%s: engine %.2fs kubectl %.2fs (%d dropped: kubectl refuses them)" % (
            label, rw["engine"], rw["kubectl"], rw["dropped"]), flush=True)
        extra += ["", "Real-world config/crd bases: %d directories (%d more that kubectl "
                  "refuses are left out); CPU time (user+sys): engine %.2f s, "
                  "kubectl %.2f s (%.1f×)." % (len(rw["dirs"]), rw["dropped"],
                                               rw["engine_cpu"], rw["kubectl_cpu"],
                                               rw["kubectl_cpu"] / rw["engine_cpu"])]
        floors.append(("real-world config/crd bases (%d dirs)" % len(rw["dirs"]),
                       fl.floor(rw["dirs"], args.repeat)))
    else:
        print("real-world rows skipped: no config/crd directories under", args.realworld)
    extra += fl.floor_lines(floors)
    st = fl.startup(seed, args.startup_runs)
    print("startup", st, flush=True)
    extra += fl.startup_lines(st)
    write_doc(rows, args, extra)
    if not args.no_wholerepo and not args.only_floor:
        import wholerepo
        wholerepo.main([])
    if not args.no_xdist and not args.only_floor:
        import xdist_gate
        xdist_gate.main([])
    return 0


HEAVY = "heavy overlay, 500 resources"
KEPT_SECTIONS = ("analysis", "wholerepo", "xdist")


def _standard_rows(args, measure, rows, kustomize, generate, floors, fl) -> list:
    measure("seed (examples/overlays/production)",
            os.path.join(ROOT, "examples", "overlays", "production"), args.repeat)
    for dirpath, dirnames, filenames in sorted(os.walk(os.path.join(ROOT, "examples"))):
        dirnames.sort()
        # every kustomization under examples/ (Components cannot be built on their own)
        if "kustomization.yaml" in filenames and not _is_component(dirpath) \
                and dirpath != os.path.join(ROOT, "examples", "overlays", "production"):
            measure(os.path.relpath(dirpath, ROOT), dirpath, args.repeat)
    dirs = corpus_dirs()
    e_corpus = corpus_engine_time(dirs)
    k_corpus = sum(tool_time(["kubectl", "kustomize", d], 1) for d in dirs)
    z_corpus = sum(tool_time([kustomize, "build", d], 1) for d in dirs) if kustomize else None
    rows.append(("corpus (%d output cases)" % len(dirs), e_corpus, k_corpus, z_corpus, {}))
    print("corpus: engine %.2fs kubectl %.2fs kustomize %s" % (e_corpus, k_corpus, z_corpus))
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            overlay = generate(os.path.join(tmp, str(n)), n)
            measure("generated %d resources" % n, overlay, args.repeat,
                    with_kubectl=n <= args.kubectl_max, mem=True)
            floors.append(("generated %d resources" % n, fl.floor([overlay], args.repeat)))
        if 2000 in args.sizes and 8000 in args.sizes:
            return growth_lines(os.path.join(tmp, "2000", "overlay"),
                                os.path.join(tmp, "8000", "overlay"), args.repeat)
    return []


def growth_lines(small: str, large: str, repeat: int, rounds: int = 5) -> list:
    """The 2,000 → 8,000 growth again, the two renders alternated for ``rounds`` rounds: on
    a machine whose speed drifts, the table's rows (measured minutes apart) can catch the
    two sizes in different states."""
    a, b = [], []
    for _ in range(rounds):
        a.append(engine_time(small, repeat))
        b.append(engine_time(large, repeat))
    ratios = sorted(y / x for x, y in zip(a, b))
    print("growth, interleaved: best %.4fs / %.4fs = %.2fx; per round %s" % (
        min(a), min(b), min(b) / min(a), " ".join("%.2f" % r for r in ratios)), flush=True)
    return ["", "Growth measured again with the two renders alternated (%d rounds, best of %d "
            "each): 2,000 resources %.4f s, 8,000 %.4f s, %.2f× (per-round ratios from %.2f× "
            "to %.2f×, median %.2f×)." % (rounds, repeat, min(a), min(b), min(b) / min(a),
                                         ratios[0], ratios[-1], ratios[len(ratios) // 2])]


def _previous_rows(labels: set) -> list:
    """Table rows of the current docs/performance.md whose input was not measured now."""
    if not os.path.exists(DOC):
        return []
    out = []
    for line in open(DOC, encoding="utf-8"):
        if line.startswith("## "):      # the tables after the first are rewritten whole
            break
        if line.startswith("| ") and not line.startswith(("| input", "| ---")) and \
                line.split("|")[1].strip() not in labels:
            out.append(line.rstrip("\n"))
    return out


def write_doc(rows, args, extra=()) -> None:
    lines = [
        "# Performance",
        "",
        "Generated by `python benchmarks/run.py %s` on this project's 2-core machine."
        % " ".join(sys.argv[1:]),
        "Engine: in-process render + YAML output, best of --repeat after one warm-up, in a "
        "fresh interpreter per input; kubectl kustomize "
        "(v5.5.0) and kustomize v5.8.1: subprocesses. Ratios are kustomize time / engine time "
        "(how many times faster the engine is). Memory: peak RSS of one render in a fresh "
        "process.",
        "",
        "| input | engine | kubectl kustomize | ratio | kustomize v5.8.1 | ratio | peak MB "
        "(engine / kubectl / v5.8.1) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    kept = _previous_rows({r[0] for r in rows})
    for label, e, k, z, m in rows:
        lines.append("| %s | %.4f s | %s | %s | %s | %s | %s |" % (
            label, e, "%.3f s" % k if k else "not run", "%.0f×" % (k / e) if k else "",
            "%.3f s" % z if z else "not run", "%.1f×" % (z / e) if z else "",
            " / ".join("%.0f" % m[x] if x in m else "-" for x in ("engine", "kubectl",
                                                                 "kustomize")) if m else ""))
    lines.extend(kept)
    if kept:
        lines.append("")
        lines.append("(Rows after the first %d were measured in an earlier run of the same "
                     "script and kept.)" % len(rows))
    gen = {label: e for label, e, _, _, _ in rows if label.startswith("generated")}
    if "generated 2000 resources" in gen and "generated 8000 resources" in gen:
        lines += ["", "Growth: 8,000 resources take %.2f× the time of 2,000."
                  % (gen["generated 8000 resources"] / gen["generated 2000 resources"])]
    lines.extend(extra)
    import benchlib           # hand-written analysis, build --all and xdist: kept
    for name in KEPT_SECTIONS:
        section = benchlib.kept(name)
        if section:
            lines += ["", section]
    with open(DOC, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", DOC)


if __name__ == "__main__":
    sys.exit(main())
