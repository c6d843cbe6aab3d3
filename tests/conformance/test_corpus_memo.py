"""The conformance corpus built with one shared memo of accumulated bases (engine/memo.py):
every case that passes alone passes when each of its bases comes from the memo (the second
round of builds), with the output kustomize's tests expect."""
from __future__ import annotations

import importlib.util
import os

import pytest
import yaml

import pytest_kustomize
from pytest_kustomize.engine.memo import AccumulationMemo
from pytest_kustomize.errors import KustomizeError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.environ.get("KUSTOMIZE_CONFORMANCE_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "conformance")
CASES = os.path.join(CORPUS, "cases")

if not os.path.isdir(CASES):
    pytest.skip("conformance corpus not found at %s" % CORPUS, allow_module_level=True)


def _runner():
    spec = importlib.util.spec_from_file_location(
        "run_corpus_memo", os.path.join(CORPUS, "tools", "run_corpus.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _known() -> set:
    path = os.path.join(HERE, "known_failures.txt")
    return {line.split("\t")[0] for line in open(path, encoding="utf-8")
            if line.strip() and not line.startswith("#")}


def test_every_passing_case_passes_with_memoised_bases():
    runner = _runner()
    known = _known()
    memo = AccumulationMemo()
    checked, failures = 0, []
    cases = sorted(os.listdir(CASES))
    for rnd in (1, 2):
        for case in cases:
            if case in known:
                continue
            meta = runner.load_case(os.path.join(CASES, case))
            opts = meta.get("options") or {}
            if opts.get("enable_alpha_plugins"):
                continue
            build_dir = os.path.normpath(os.path.join(CASES, case, "input", meta["build_dir"]))
            kw = dict(load_restrictor="none" if opts.get("load_restrictor") == "none"
                      else "rootOnly", reorder=opts.get("reorder", "none")
                      if opts.get("reorder", "none") in ("none", "legacy") else "legacy",
                      enable_managedby_label=bool(opts.get("add_managedby_label")), memo=memo)
            if meta["expect"] == "error":
                try:
                    pytest_kustomize.build(build_dir, **kw)
                    failures.append((rnd, case, "no error"))
                except KustomizeError:
                    pass
                continue
            got = [d for d in yaml.safe_load_all(pytest_kustomize.build(build_dir, **kw)
                                                 .to_yaml()) if d is not None]
            _, expected = runner.expected_for(meta, "none")
            if "managed-by-version" in (meta.get("normalize") or []):
                expected, got = runner.normalize_docs(expected), runner.normalize_docs(got)
            if got != expected:
                failures.append((rnd, case, "output differs"))
            checked += 1
    assert not failures
    assert checked > 400 and memo.hits > 100      # the second round came from the memo
