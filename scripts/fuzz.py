#!/usr/bin/env python3
"""Differential fuzzer: random and hostile kustomization trees built by the engine and by
`kubectl kustomize`; the outcome (success / error) must agree, and on success the bytes.

    python3 scripts/fuzz.py --count 5000 --seed 1 --jobs 2 [--save DIR] [--only N]

Trees mix every kustomization field with wrong types in any of them (numbers, bools, lists,
maps, nulls where strings go; unknown keys; case-folded names; YAML 1.1 scalars), truncated
and malformed YAML, symlinks inside and outside the root, resource and base cycles, deep
nesting, huge scalars, anchors and aliases, multi-document and List files. Tree ``i`` of
seed ``S`` is always the same tree. Each tree gets a timeout (a hang is a finding); at most
``--jobs`` kubectl processes run at once. The engine runs in worker processes, so a hang or
a dead interpreter is caught too.

Findings: crash (an exception that is not a KustomizeError, or the guard's "internal
error"), hang (the engine past the timeout), accept/refuse (one tool renders, the other
refuses), output (both render, bytes differ). Known kubectl failures are counted apart:
kubectl panicking (a custom openapi schema it cannot parse) or running out of time where
the engine refuses with a clear error.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _p in (ROOT, os.path.join(ROOT, "scripts")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import fuzztrees  # noqa: E402
from fuzztrees import FIELD_MAKERS, make_tree, write_tree  # noqa: E402,F401

TIMEOUT = 60.0


# ---------------------------------------------------------------------------------------
# running both tools
# ---------------------------------------------------------------------------------------
def engine_build(build_dir: str) -> tuple:
    """In a worker process: ("ok", yaml) | ("error", message) | ("crash", description)."""
    import pytest_kustomize
    from pytest_kustomize.errors import KustomizeError
    try:
        return "ok", pytest_kustomize.build(build_dir).to_yaml()
    except KustomizeError as e:
        text = str(e)
        if "internal error (" in text or "nested too deeply to process" in text:
            return "crash", text
        return "error", text
    except BaseException as e:          # noqa: B902 - reaching here is the finding
        return "crash", "%s: %s" % (type(e).__name__, e)


def kubectl_build(build_dir: str, timeout: float) -> tuple:
    try:
        p = subprocess.run(["kubectl", "kustomize", build_dir], capture_output=True,
                           text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", ""
    if p.returncode == 0:
        return "ok", p.stdout
    return ("panic" if "panic:" in p.stderr or "goroutine " in p.stderr else "error"), \
        p.stderr[-2000:]


def classify(k: tuple, e: tuple) -> str:
    """One word per tree: agree-ok, agree-error, or the kind of finding."""
    if e[0] == "crash":
        return "crash"
    if e[0] == "hang":
        return "hang"
    if k[0] == "panic":
        return "kubectl-panic-engine-ok" if e[0] == "ok" else "kubectl-panic"
    if k[0] == "timeout":
        return "kubectl-timeout" if e[0] == "error" else "kubectl-timeout-engine-ok"
    if k[0] == "ok" and e[0] == "ok":
        return "agree-ok" if k[1] == e[1] else "output"
    if k[0] == "error" and e[0] == "error":
        return "agree-error"
    return "engine-refuses" if k[0] == "ok" else "engine-accepts"


# classes that are not findings against the engine (kubectl's own failures, engine clear)
KUBECTL_BUGS = {"kubectl-panic", "kubectl-timeout"}
FINDINGS = ("generator-error", "crash", "hang", "engine-refuses", "engine-accepts", "output",
            "kubectl-panic-engine-ok", "kubectl-timeout-engine-ok")


class Slot:
    """One job slot: a worker process for the engine (replaced after a hang) and at most
    one kubectl at a time."""

    def __init__(self):
        ctx = multiprocessing.get_context("spawn")
        self.ctx = ctx
        self.pool = ctx.Pool(1, maxtasksperchild=200)

    def run(self, seed: int, index: int, timeout: float, keep: str | None) -> dict:
        try:
            files, build = make_tree(seed, index)
        except Exception as e:      # a bug of the generator: count it, do not stop
            return {"index": index, "verdict": "generator-error", "kubectl_s": 0,
                    "engine_s": 0, "build": "", "kubectl": "", "engine": repr(e)}
        tmp = tempfile.mkdtemp(prefix="fuzz-%d-%d-" % (seed, index))
        try:
            write_tree(files, tmp)
            build_dir = os.path.join(tmp, build)
            t0 = time.monotonic()
            k = kubectl_build(build_dir, timeout)
            t1 = time.monotonic()
            job = self.pool.apply_async(engine_build, (build_dir,))
            try:
                e = job.get(timeout)
            except multiprocessing.TimeoutError:
                self.pool.terminate()
                self.pool = self.ctx.Pool(1, maxtasksperchild=200)
                e = ("hang", "")
            t2 = time.monotonic()
            verdict = classify(k, e)
            out = {"index": index, "verdict": verdict, "kubectl_s": t1 - t0,
                   "engine_s": t2 - t1, "build": build}
            if verdict not in ("agree-ok", "agree-error"):
                out["kubectl"] = k[0] + ": " + k[1][-400:].strip()
                out["engine"] = e[0] + ": " + e[1][-400:].strip()
                if keep and verdict in FINDINGS:
                    dest = os.path.join(keep, "%d-%d" % (seed, index))
                    shutil.rmtree(dest, ignore_errors=True)
                    shutil.copytree(tmp, dest, symlinks=True)
            return out
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def close(self):
        self.pool.terminate()


def run(count: int, seed: int, jobs: int = 1, timeout: float = TIMEOUT, keep=None,
        indexes=None, progress=None, log=None) -> dict:
    """Fuzz ``count`` trees (or just ``indexes``); returns the summary."""
    import concurrent.futures
    import queue
    todo = list(indexes) if indexes is not None else list(range(count))
    slots: "queue.Queue[Slot]" = queue.Queue()
    all_slots = [Slot() for _ in range(max(1, jobs))]
    for s in all_slots:
        slots.put(s)

    def one(i):
        s = slots.get()
        try:
            return s.run(seed, i, timeout, keep)
        finally:
            slots.put(s)

    started = time.monotonic()
    results = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as ex:
            for res in ex.map(one, todo):
                results.append(res)
                if log is not None:
                    log.write(json.dumps(res) + "\n")
                    log.flush()
                if progress:
                    progress(res, len(results), len(todo))
    finally:
        for s in all_slots:
            s.close()
    counts: dict = {}
    for res in results:
        counts[res["verdict"]] = counts.get(res["verdict"], 0) + 1
    return {"seed": seed, "trees": len(results), "seconds": round(time.monotonic() - started, 1),
            "counts": dict(sorted(counts.items())),
            "kubectl_seconds": round(sum(x["kubectl_s"] for x in results), 1),
            "engine_seconds": round(sum(x["engine_s"] for x in results), 1),
            "findings": [x for x in results if x["verdict"] in FINDINGS],
            "kubectl_bugs": [x for x in results if x["verdict"] in KUBECTL_BUGS]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1, help="parallel trees (kubectl processes)")
    ap.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per tool per tree")
    ap.add_argument("--save", help="copy the trees of findings into this directory")
    ap.add_argument("--only", type=int, action="append", help="just tree N (repeatable)")
    ap.add_argument("--json", help="write the summary here")
    ap.add_argument("--log", help="append one JSON line per tree here (partial runs count)")
    args = ap.parse_args(argv)
    if shutil.which("kubectl") is None:
        print("kubectl is required (it bundles the reference kustomize)", file=sys.stderr)
        return 2

    def progress(res, done, total):
        if res["verdict"] in FINDINGS or res["verdict"] in KUBECTL_BUGS:
            print("tree %d: %s\n  kubectl %s\n  engine  %s" % (
                res["index"], res["verdict"], res.get("kubectl", ""), res.get("engine", "")),
                flush=True)
        if done % 250 == 0:
            print("... %d/%d" % (done, total), file=sys.stderr, flush=True)

    log = open(args.log, "a") if args.log else None
    summary = run(args.count, args.seed, args.jobs, args.timeout, args.save, args.only,
                  progress, log)
    print(json.dumps({k: v for k, v in summary.items()
                      if k not in ("findings", "kubectl_bugs")}, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)
    return 1 if summary["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
