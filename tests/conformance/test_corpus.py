"""Every case of the conformance corpus (../shared/conformance, from kustomize's own tests),
built in-process and compared with the output or error kustomize's tests expect.

Cases listed in known_failures.txt are strict xfails: when one starts passing, the run
fails until `python scripts/conformance.py` regenerates the list (and the recorded score).
"""
from __future__ import annotations

import importlib.util
import os

import pytest
import yaml

import pytest_kustomize
from pytest_kustomize.errors import KustomizeError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.environ.get("KUSTOMIZE_CONFORMANCE_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "conformance")
CASES = os.path.join(CORPUS, "cases")
KNOWN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_failures.txt")


def _known_failures() -> dict:
    out = {}
    if os.path.exists(KNOWN):
        for line in open(KNOWN, encoding="utf-8"):
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                name, _, reason = line.partition("\t")
                out[name] = reason or "known failure"
    return out


def _runner():
    spec = importlib.util.spec_from_file_location(
        "run_corpus", os.path.join(CORPUS, "tools", "run_corpus.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _params():
    if not os.path.isdir(CASES):
        return []
    known = _known_failures()
    params = []
    for name in sorted(os.listdir(CASES)):
        marks = []
        if name in known:
            marks.append(pytest.mark.xfail(strict=True, reason=known[name]))
        params.append(pytest.param(name, id=name, marks=marks))
    return params


if not os.path.isdir(CASES):
    if os.environ.get("CI") == "true":
        raise RuntimeError("conformance corpus not found at %s (CI needs ../shared)" % CORPUS)
    pytest.skip("conformance corpus not found at %s" % CORPUS, allow_module_level=True)

RUNNER = _runner()


@pytest.mark.parametrize("case", _params())
def test_case(case):
    meta = RUNNER.load_case(os.path.join(CASES, case))
    opts = meta.get("options") or {}
    build_dir = os.path.normpath(os.path.join(CASES, case, "input", meta["build_dir"]))
    kwargs = dict(
        load_restrictor="none" if opts.get("load_restrictor") == "none" else "rootOnly",
        reorder=opts.get("reorder", "none") if opts.get("reorder", "none") in ("none", "legacy")
        else "legacy",
        enable_alpha_plugins=bool(opts.get("enable_alpha_plugins")),
        enable_managedby_label=bool(opts.get("add_managedby_label")),
    )
    if meta["expect"] == "error":
        with pytest.raises(KustomizeError):
            pytest_kustomize.build(build_dir, **kwargs)
        return
    out = pytest_kustomize.build(build_dir, **kwargs).to_yaml()

    class _Args:
        reorder = "none"
    _, expected = RUNNER.expected_for(meta, _Args.reorder)
    got = [d for d in yaml.safe_load_all(out) if d is not None]
    if "managed-by-version" in (meta.get("normalize") or []):
        expected = RUNNER.normalize_docs(expected)
        got = RUNNER.normalize_docs(got)
    assert got == expected
