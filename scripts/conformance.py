#!/usr/bin/env python3
"""Run the conformance corpus against the engine's CLI and record the score.

    python scripts/conformance.py            # run, write docs/conformance.md and
                                             # tests/conformance/known_failures.txt
    python scripts/conformance.py --check    # run; exit 1 if fewer cases pass than recorded

The corpus is ../shared/conformance (or $KUSTOMIZE_CONFORMANCE_DIR); its runner compares
parsed output documents (and with --exact, bytes; with --strict-errors, error text).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.environ.get("KUSTOMIZE_CONFORMANCE_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "conformance")
DOC = os.path.join(ROOT, "docs", "conformance.md")
KNOWN = os.path.join(ROOT, "tests", "conformance", "known_failures.txt")
IMPL = "%s -m pytest_kustomize build {reorder} {flags} {dir}" % sys.executable
SCORE = re.compile(r"^(\d+) passed, (\d+) failed$")

# Why a case cannot pass on disk (anything failing and not explained here is a bug to fix).
EXPLANATIONS = {
    "namespaces__TestNameReferenceDeploymentIssue3489":
        "the test's kustomization refers to '../ov1' above its root '/'; that only works in "
        "kustomize's in-memory file system (case.yaml: memfs_root_escape). On disk the "
        "directory does not exist, and the engine, kubectl and kustomize v5.8.1 all fail.",
    "openapicustomschema__TestCustomOpenApiFieldFileNotFound":
        "an error case that passes; only its message differs: the test expects the in-memory "
        "file system's wording \"'/mycrd_schema.json' doesn't exist\". On disk kubectl says "
        "\"evalsymlink failure on '…/mycrd_schema.json' : lstat …: no such file or "
        "directory\" and the engine \"field openapi.path: open …/mycrd_schema.json: no such "
        "file or directory\"; the corpus README lists this case as worded differently on disk.",
}


def run(extra: list) -> tuple:
    cmd = [sys.executable, os.path.join(CORPUS, "tools", "run_corpus.py"), "--impl", IMPL]
    p = subprocess.run(cmd + extra, capture_output=True, text=True, cwd=ROOT)
    lines = p.stdout.strip().splitlines()
    m = SCORE.match(lines[-1]) if lines else None
    if not m:
        raise SystemExit("runner printed no score:\n%s\n%s" % (p.stdout, p.stderr))
    fails = []
    for line in lines[:-1]:
        if line.startswith("FAIL "):
            name, _, reason = line[5:].partition(": ")
            # paths inside the corpus are written relative to it: the files stay the same
            # on every machine
            reason = reason.replace(os.path.abspath(CORPUS) + os.sep, "")
            fails.append((name, reason.strip()))
    return int(m.group(1)), int(m.group(2)), fails


def recorded() -> int | None:
    if not os.path.exists(DOC):
        return None
    m = re.search(r"Semantic comparison: \*\*(\d+) passed\*\*", open(DOC, encoding="utf-8").read())
    return int(m.group(1)) if m else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="fail when the score is below the one in docs/conformance.md")
    args = ap.parse_args(argv)
    passed, failed, fails = run([])
    print("conformance: %d passed, %d failed" % (passed, failed))
    if args.check:
        want = recorded()
        if want is None:
            print("no recorded score in %s" % DOC)
            return 1
        if passed < want:
            print("REGRESSION: %d passed, %d recorded in docs/conformance.md" % (passed, want))
            for name, reason in fails:
                print("FAIL %s: %s" % (name, reason))
            return 1
        return 0
    ex_passed, ex_failed, ex_fails = run(["--exact", "--strict-errors"])
    lines = [
        "# Conformance",
        "",
        "The engine against the 299 cases of `../shared/conformance` (taken from kustomize's own",
        "tests), through its CLI. Regenerate with `python scripts/conformance.py`; CI runs",
        "`python scripts/conformance.py --check` and fails if fewer cases pass than recorded here.",
        "",
        "Command: `python3 ../shared/conformance/tools/run_corpus.py --impl 'python -m "
        "pytest_kustomize build {reorder} {flags} {dir}'`",
        "",
        "- Semantic comparison: **%d passed**, %d failed" % (passed, failed),
        "- `--exact --strict-errors` (bytes and error text): %d passed, %d failed"
        % (ex_passed, ex_failed),
        "",
        "## Failing cases (semantic)",
        "",
    ]
    lines += ["- `%s`: %s" % (n, r.replace("|", "\\|")[:300]) for n, r in fails] or ["none"]
    lines += ["", "## Failing cases with `--exact --strict-errors`", ""]
    lines += ["- `%s`: %s" % (n, r[:300]) for n, r in ex_fails] or ["none"]
    lines += ["", "## Why they fail", ""]
    for name in sorted({n for n, _ in fails} | {n for n, _ in ex_fails}):
        lines.append("- `%s`: %s" % (name, EXPLANATIONS.get(name, "not explained yet: a bug")))
    os.makedirs(os.path.dirname(DOC), exist_ok=True)
    with open(DOC, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(KNOWN, "w", encoding="utf-8") as f:
        f.write("# cases the engine does not pass yet (generated by scripts/conformance.py)\n")
        for name, reason in fails:
            f.write("%s\t%s\n" % (name, reason.replace("\t", " ")[:200]))
    print("exact/strict: %d passed, %d failed; wrote %s and %s"
          % (ex_passed, ex_failed, DOC, KNOWN))
    return 0


if __name__ == "__main__":
    sys.exit(main())
