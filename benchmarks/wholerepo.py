#!/usr/bin/env python3
"""Whole-repository benchmark: ``build --all`` of a generated monorepo (genrepo.py: 300
overlays over 10 app bases, a base of bases, 3 components; 315 kustomization directories)
against one ``kubectl kustomize`` (and one kustomize v5.8.1) process per directory, with the
persistent render cache cold, warm, and after one base edit. Writes its section of
docs/performance.md (between the ``wholerepo`` markers, see benchlib.py).

    python benchmarks/wholerepo.py [--overlays 300] [--bases 10] [--repeat 1]

Engine: wall time of one ``python -m pytest_kustomize build --all ROOT -o FILE`` process
(interpreter start-up, discovery, renders and YAML output included). Every section of its
output is compared byte for byte with the kubectl output of that directory."""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def engine_run(root: str, out: str, *extra) -> tuple:
    """(wall seconds, stderr summary, CPU seconds) of one build --all process."""
    c, t = _cpu(), time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "pytest_kustomize", "build", "--all", root,
                        "-o", out, *extra], capture_output=True, text=True,
                       env=benchlib.child_env())
    took, cpu = time.perf_counter() - t, _cpu() - c
    if "0 failed" not in p.stderr:
        raise SystemExit("build --all failed:\n" + p.stderr[-2000:])
    return took, p.stderr.strip().splitlines()[-1], cpu


def best(fn, repeat: int):
    runs = [fn() for _ in range(repeat)]
    return min(runs, key=lambda r: r[0])


def per_dir(argv_of, dirs) -> tuple:
    """(total wall seconds, {dir: stdout}, CPU seconds) running one process per directory
    in turn."""
    outs = {}
    c, t = _cpu(), time.perf_counter()
    for d in dirs:
        p = subprocess.run(argv_of(d), capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit("%s failed on %s: %s" % (argv_of(d)[0], d, p.stderr[-500:]))
        outs[d] = p.stdout
    return time.perf_counter() - t, outs, _cpu() - c


def sections(path: str) -> dict:
    out: dict = {}
    cur = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("### "):
                cur = line[4:].rstrip("\n")
                out[cur] = []
            else:
                out[cur].append(line)
    return {k: "".join(v) for k, v in out.items()}


def main(argv=None) -> int:
    from genrepo import generate
    from pytest_kustomize.repo import kustomization_dirs
    from pytest_kustomize.tools import find_tool
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--overlays", type=int, default=300)
    ap.add_argument("--bases", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=1, help="engine runs per row (best of)")
    ap.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    args = ap.parse_args(argv)
    kustomize = find_tool("kustomize")
    with tempfile.TemporaryDirectory() as tmp, benchlib.bytecode_cached():
        root = os.path.join(tmp, "repo")
        generate(root, args.overlays, args.bases)
        dirs = kustomization_dirs(root)
        out = os.path.join(tmp, "out.yaml")
        cache = os.path.join(tmp, "cache")
        rows = []

        def cached_run():
            shutil.rmtree(cache, ignore_errors=True)
            return engine_run(root, out, "--cache-dir", cache)

        engine_run(root, out, "--no-cache")            # warm-up: writes the bytecode caches
        nocache = best(lambda: engine_run(root, out, "--no-cache"), args.repeat)
        got = sections(out)
        rows.append(("build --all, no cache", nocache))
        jobs = best(lambda: engine_run(root, out, "--no-cache", "-j", "2"), args.repeat)
        if sections(out) != got:
            raise SystemExit("build --all -j 2 printed another output than -j 1")
        rows.append(("build --all -j 2 (two processes), no cache", jobs))
        rows.append(("build --all, empty cache (renders and stores)",
                     best(cached_run, args.repeat)))
        rows.append(("build --all, warm cache (nothing changed)",
                     best(lambda: engine_run(root, out, "--cache-dir", cache), args.repeat)))
        dep = os.path.join(root, "bases", "app00", "deployment.yaml")
        with open(dep, encoding="utf-8") as f:
            text = f.read()
        with open(dep, "w", encoding="utf-8") as f:
            f.write(text.replace("--log-level=info", "--log-level=warn"))
        rows.append(("build --all, warm cache, one app base edited",
                     engine_run(root, out, "--cache-dir", cache)))
        with open(dep, "w", encoding="utf-8") as f:
            f.write(text)
        for label, (sec, summary, cpu) in rows:
            print("%-48s %7.2fs (CPU %.2fs)  %s" % (label, sec, cpu, summary), flush=True)
        k_time, k_out, k_cpu = per_dir(lambda d: ["kubectl", "kustomize", d], dirs)
        print("kubectl kustomize, one process per directory: %.1fs (CPU %.1fs)"
              % (k_time, k_cpu), flush=True)
        z_time = z_cpu = None
        if kustomize:
            z_time, _, z_cpu = per_dir(lambda d: [kustomize, "build", d], dirs)
            print("kustomize v5.8.1, one process per directory: %.1fs (CPU %.1fs)"
                  % (z_time, z_cpu), flush=True)
        same = sum(1 for d in dirs if got.get(os.path.relpath(d, root)) == k_out[d])
        print("byte-identical to kubectl: %d of %d directories" % (same, len(dirs)))
    if not args.no_doc:
        write_section(rows, (k_time, k_cpu), (z_time, z_cpu), same, len(dirs), args)
    return 0 if same == len(dirs) else 1


def write_section(rows, k, z, same, n, args) -> None:
    (k_time, k_cpu), (z_time, z_cpu) = k, z
    lines = ["## Whole repository: `build --all`", "",
             "Generated by `python benchmarks/wholerepo.py %s`: a monorepo from "
             "benchmarks/genrepo.py (%d overlays over %d app bases, a base of bases, 3 "
             "components: %d kustomization directories). Engine: one "
             "`python -m pytest_kustomize build --all ROOT -o FILE` process (start-up "
             "and imports included, bytecode caches written as an installed package has them); "
             "kubectl kustomize (v5.5.0) and kustomize v5.8.1: one process per "
             "directory, in turn. Wall time, and CPU time (user + system of the processes: "
             "steadier on a loaded machine). Output byte-identical to kubectl in %d of %d "
             "directories." % (" ".join(argv_shown()), args.overlays, args.bases, n, same, n),
             "",
             "| run | wall | CPU | vs kubectl wall (%.1f s) | CPU (%.1f s) | vs kustomize "
             "v5.8.1 wall (%s) | CPU (%s) | summary |"
             % (k_time, k_cpu, "%.1f s" % z_time if z_time else "not run",
                "%.1f s" % z_cpu if z_cpu else "-"),
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, (sec, summary, cpu) in rows:
        lines.append("| %s | %.2f s | %.2f s | %.0f× | %.0f× | %s | %s | %s |" % (
            label, sec, cpu, k_time / sec, k_cpu / cpu,
            "%.0f×" % (z_time / sec) if z_time else "", "%.0f×" % (z_cpu / cpu) if z_cpu
            else "", summary.replace("pytest-kustomize: ", "")))
    benchlib.write("wholerepo", lines)


def argv_shown() -> list:
    return sys.argv[1:] if os.path.basename(sys.argv[0]) == "wholerepo.py" else []


if __name__ == "__main__":
    sys.exit(main())
