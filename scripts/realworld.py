#!/usr/bin/env python3
"""Compare the engine with `kubectl kustomize` on every kustomization directory of a corpus of
public repositories (not committed; only their names and commits are, in tests/realworld/).

    python scripts/realworld.py export /work/.mirror/OWNER+NAME/repo   # a fetched bare git dir
    python scripts/realworld.py run [--repo OWNER+NAME ...] [--json out.json]
    python scripts/realworld.py run --record     # also write tests/realworld/repos.txt and
                                                 # the "Real-world corpus" part of conformance.md

Each directory holding a kustomization file is built by `kubectl kustomize DIR` (plain: no
flags) and by `pytest_kustomize.build(DIR).to_yaml()` in this interpreter. A directory is
*buildable* when kubectl succeeds: the engine must print the same bytes. Where kubectl fails,
the engine must fail too; a failure that comes from the network (a remote base, a git URL) is
counted apart as *not buildable offline*. The corpus root is $PYTEST_KUSTOMIZE_REALWORLD or
/work/corpora/realworld, one directory per repository named OWNER+NAME.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pytest_kustomize  # noqa: E402
from pytest_kustomize.errors import KustomizeError  # noqa: E402

CORPUS = os.environ.get("PYTEST_KUSTOMIZE_REALWORLD") or "/work/corpora/realworld"
MANIFEST = os.path.join(ROOT, "tests", "realworld", "repos.txt")
DOC = os.path.join(ROOT, "docs", "conformance.md")
COMMIT_FILE = ".realworld-commit"
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
#: kubectl's own words when a build needed the network (DNS, git, HTTP).
NETWORK = re.compile(r"no such host|Could not resolve host|dial tcp|failed to run '\S*git |"
                     r"unable to access 'http|network is unreachable|i/o timeout")
TIMEOUT = 120
DOC_START = "<!-- realworld:start -->"
DOC_END = "<!-- realworld:end -->"

# outcome of one directory
AGREE = "agree"                 # kubectl succeeds, engine prints the same bytes
BOTH_REFUSE = "both-refuse"     # kubectl fails (not for the network), engine fails too
OFFLINE = "offline"             # kubectl fails for the network, engine fails too
DIFFER = "differ"               # both succeed, bytes differ
ENGINE_REFUSES = "engine-refuses"   # kubectl succeeds, engine fails
ENGINE_ACCEPTS = "engine-accepts"   # kubectl fails, engine succeeds
CRASH = "crash"                 # the engine raised something other than a KustomizeError
BAD = (DIFFER, ENGINE_REFUSES, ENGINE_ACCEPTS, CRASH)


def discover(repo_dir: str) -> list:
    """Every directory under ``repo_dir`` holding a kustomization file, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(repo_dir):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        if any(n in filenames for n in KUSTOMIZATION_NAMES):
            found.append(dirpath)
    return sorted(found)


def repos(corpus: str, only=()) -> list:
    names = sorted(n for n in os.listdir(corpus) if os.path.isdir(os.path.join(corpus, n)))
    return [n for n in names if not only or n in only]


def commit_of(repo_dir: str) -> str:
    try:
        with open(os.path.join(repo_dir, COMMIT_FILE), encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def kubectl(path: str) -> tuple:
    try:
        p = subprocess.run(["kubectl", "kustomize", path], capture_output=True, text=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 124, "", "timeout after %ds" % TIMEOUT
    return p.returncode, p.stdout, p.stderr


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def engine(path: str) -> tuple:
    """("ok", yaml) | ("error", message) | ("crash", traceback)."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIMEOUT)
    try:
        return "ok", pytest_kustomize.build(path).to_yaml()
    except KustomizeError as e:
        return "error", str(e)
    except _Timeout:
        return "crash", "timeout after %ds" % TIMEOUT
    except BaseException as e:  # noqa: BLE001 - a crash is what this looks for
        if isinstance(e, KeyboardInterrupt):
            raise
        return "crash", "".join(traceback.format_exception(e)[-6:])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("E1", "# Warning")) and ln != ">"] \
        or lines
    return " ".join(lines)[:400]


def short_diff(want: str, got: str, lines: int = 30) -> str:
    diff = list(difflib.unified_diff(want.splitlines(), got.splitlines(), "kubectl", "engine",
                                     n=2, lineterm=""))
    more = len(diff) - lines
    return "\n".join(diff[:lines] + (["… %d more lines" % more] if more > 0 else []))


def classify(path: str, ref: tuple, got: tuple) -> dict:
    rc, out, err = ref
    kind, text = got
    row = {"dir": path}
    if kind == "crash":
        row.update(outcome=CRASH, engine=text, kubectl=_first_error(err) if rc else "ok")
    elif rc == 0 and kind == "ok":
        row["outcome"] = AGREE if out == text else DIFFER
        if out != text:
            row["diff"] = short_diff(out, text)
    elif rc == 0:
        row.update(outcome=ENGINE_REFUSES, engine=text)
    elif kind == "ok":
        row.update(outcome=ENGINE_ACCEPTS, kubectl=_first_error(err))
    else:
        row.update(outcome=OFFLINE if NETWORK.search(err) else BOTH_REFUSE,
                   kubectl=_first_error(err), engine=text[:400])
    row["buildable"] = rc == 0
    return row


def compare(dirs: list, jobs: int = 2, progress=None) -> list:
    """kubectl runs in ``jobs`` threads ahead; the engine runs here, one directory at a time."""
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(kubectl, d) for d in dirs]
        for d, fut in zip(dirs, futures):
            t0 = time.perf_counter()
            got = engine(d)
            elapsed = time.perf_counter() - t0
            row = classify(d, fut.result(), got)
            row["engine_seconds"] = round(elapsed, 4)
            rows.append(row)
            if progress:
                progress(row)
    return rows


def summarize(rows: list) -> dict:
    counts = {}
    for r in rows:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    return {"dirs": len(rows), "buildable": sum(r["buildable"] for r in rows),
            "agree": counts.get(AGREE, 0), "counts": counts,
            "bad": sum(counts.get(k, 0) for k in BAD)}


def run_corpus(corpus: str, only=(), jobs: int = 2, verbose: bool = False) -> dict:
    """Compare every repository; returns {repo: {"commit", "rows", "seconds"}}."""
    result = {}
    for name in repos(corpus, only):
        repo_dir = os.path.join(corpus, name)
        t0 = time.perf_counter()
        rows = compare(discover(repo_dir), jobs,
                       (lambda r: print("%-15s %s" % (r["outcome"], r["dir"]), flush=True))
                       if verbose else None)
        for r in rows:
            r["dir"] = os.path.relpath(r["dir"], corpus)
        result[name] = {"commit": commit_of(repo_dir), "rows": rows,
                        "seconds": round(time.perf_counter() - t0, 1)}
        s = summarize(rows)
        print("%-55s %4d dirs %4d buildable %4d agree %3d bad  (%.0fs)"
              % (name, s["dirs"], s["buildable"], s["agree"], s["bad"],
                 result[name]["seconds"]), flush=True)
    return result


def report(result: dict) -> str:
    """Totals and every disagreement, as text."""
    rows = [r for v in result.values() for r in v["rows"]]
    s = summarize(rows)
    out = ["%d repositories, %d kustomization directories, %d buildable offline by kubectl; "
           "%d agree byte for byte; %d disagreements" % (len(result), s["dirs"], s["buildable"],
                                                         s["agree"], s["bad"]),
           "outcomes: " + ", ".join("%s %d" % kv for kv in sorted(s["counts"].items()))]
    for r in rows:
        if r["outcome"] in BAD:
            out.append("\n%s  %s" % (r["outcome"].upper(), r["dir"]))
            for key in ("kubectl", "engine", "diff"):
                if r.get(key):
                    out.append("  %s: %s" % (key, r[key].replace("\n", "\n    ")))
    return "\n".join(out)


def write_manifest(result: dict, path: str = MANIFEST) -> None:
    lines = ["# Real-world corpus: repository, commit, kustomization dirs, buildable by kubectl,",
             "# agreeing with kubectl. Written by `python scripts/realworld.py run --record`;",
             "# the repositories' content is not committed (fetch and export them, see the",
             "# script's docstring)."]
    for name, v in sorted(result.items()):
        s = summarize(v["rows"])
        lines.append("%s %s %d %d %d" % (name.replace("+", "/", 1), v["commit"], s["dirs"],
                                         s["buildable"], s["agree"]))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def read_manifest(path: str = MANIFEST) -> dict:
    """{"owner/name": (commit, dirs, buildable, agree)}."""
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            parts = line.split()
            if parts and not line.startswith("#"):
                out[parts[0]] = (parts[1], *map(int, parts[2:5]))
    return out


def write_doc(result: dict, seconds: float, path: str = DOC) -> None:
    rows = [r for v in result.values() for r in v["rows"]]
    s = summarize(rows)
    c = s["counts"]
    text = [DOC_START, "## Real-world corpus", "",
            "Every kustomization directory of %d public repositories (operators' kubebuilder "
            "`config/` trees, Cluster API providers' templates, GitOps and home-lab repositories, "
            "ML platforms' manifests), built with plain `kubectl kustomize DIR` and with the "
            "engine. Their content is not committed; `tests/realworld/repos.txt` lists each "
            "repository, commit and count, and `tests/realworld/test_realworld.py` reruns the "
            "comparison where the corpus is present." % len(result), "",
            "Command: `python3 scripts/realworld.py run` (corpus in /work/corpora/realworld; "
            "`--record` rewrites this section)", "",
            "- Kustomization directories: %d; buildable offline by kubectl: **%d**"
            % (s["dirs"], s["buildable"]),
            "- Byte-identical to kubectl: **%d of %d** buildable" % (s["agree"], s["buildable"]),
            "- Refused by both: %d; needing the network (remote bases, kubectl's DNS/git error) "
            "and refused by both: %d" % (c.get(BOTH_REFUSE, 0), c.get(OFFLINE, 0)),
            "- Disagreements: %d (different bytes %d, engine refuses %d, engine accepts what "
            "kubectl refuses %d, crashes %d)" % (s["bad"], c.get(DIFFER, 0),
                                                c.get(ENGINE_REFUSES, 0),
                                                c.get(ENGINE_ACCEPTS, 0), c.get(CRASH, 0)),
            "- Time for the whole run (kubectl in 2 threads, engine in one interpreter): %.0f s"
            % seconds, "",
            "| repository | commit | dirs | buildable | agree |", "|---|---|---|---|---|"]
    for name, v in sorted(result.items()):
        rs = summarize(v["rows"])
        text.append("| %s | `%s` | %d | %d | %d |" % (name.replace("+", "/", 1),
                                                      v["commit"][:12], rs["dirs"],
                                                      rs["buildable"], rs["agree"]))
    bad = [r for r in rows if r["outcome"] in BAD]
    if bad:
        text += ["", "Disagreements:", ""]
        text += ["- `%s`: %s" % (r["dir"], r["outcome"]) for r in bad]
    text.append(DOC_END)
    doc = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Conformance\n"
    block = "\n".join(text)
    if DOC_START in doc:
        head, _, rest = doc.partition(DOC_START)
        doc = head + block + rest.partition(DOC_END)[2]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc)


def export(git_dir: str, corpus: str) -> str:
    """Check out HEAD of a fetched bare repository into CORPUS/OWNER+NAME (blobs the snapshot
    lacks are left out) and record its commit."""
    git_dir = os.path.abspath(git_dir)
    name = os.path.basename(os.path.dirname(git_dir.rstrip("/")))
    if "+" not in name:
        raise SystemExit("expected …/OWNER+NAME/repo, got %s" % git_dir)
    dest = os.path.join(corpus, name)
    git = ["git", "--git-dir", git_dir]
    commit = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    tree = subprocess.run(git + ["ls-tree", "-r", "-z", "HEAD"], capture_output=True,
                          check=True).stdout.split(b"\0")
    blobs = [(e.split(b"\t", 1)[0].split()[2], e.split(b"\t", 1)[1]) for e in tree
             if e and e.split()[1] == b"blob"]
    check = subprocess.run(git + ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
                           input=b"\n".join(s for s, _ in blobs) + b"\n", capture_output=True,
                           check=True).stdout.splitlines()
    missing = [p for (_, p), line in zip(blobs, check) if line.endswith(b"missing")]
    os.makedirs(dest, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GIT_INDEX_FILE=os.path.join(tmp, "index"))
        subprocess.run(git + ["read-tree", "HEAD"], env=env, check=True)
        if missing:
            subprocess.run(git + ["update-index", "--force-remove", "-z", "--stdin"],
                           input=b"\0".join(missing) + b"\0", env=env, check=True)
        subprocess.run(git + ["--work-tree", dest, "checkout-index", "-a", "-f",
                              "--prefix", dest + "/"], env=env, check=True)
    with open(os.path.join(dest, COMMIT_FILE), "w", encoding="utf-8") as f:
        f.write(commit + "\n")
    print("%s %s (%d blobs missing from the snapshot)" % (name, commit, len(missing)))
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="check out a fetched bare repository into the corpus")
    ex.add_argument("git_dir", nargs="+")
    ex.add_argument("--corpus", default=CORPUS)
    rn = sub.add_parser("run", help="compare the engine with kubectl on the corpus")
    rn.add_argument("--corpus", default=CORPUS)
    rn.add_argument("--repo", action="append", default=[], help="OWNER+NAME (repeatable)")
    rn.add_argument("--jobs", type=int, default=2, help="kubectl processes at once")
    rn.add_argument("--json", help="write every directory's outcome to this file")
    rn.add_argument("--record", action="store_true",
                    help="write tests/realworld/repos.txt and the docs/conformance.md section")
    rn.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "export":
        for g in args.git_dir:
            export(g, args.corpus)
        return 0
    if not os.path.isdir(args.corpus):
        raise SystemExit("no corpus at %s (see `%s export`)" % (args.corpus, sys.argv[0]))
    t0 = time.perf_counter()
    result = run_corpus(args.corpus, tuple(args.repo), args.jobs, args.verbose)
    seconds = time.perf_counter() - t0
    print(report(result))
    print("time: %.0f s" % seconds)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    if args.record:
        write_manifest(result)
        write_doc(result, seconds)
    return 1 if summarize([r for v in result.values() for r in v["rows"]])["bad"] else 0


if __name__ == "__main__":
    sys.exit(main())
