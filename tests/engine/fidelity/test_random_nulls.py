"""Seeded random trees of nulls and empties (``key:``, ``null``, ``~``, ``{}``, ``[]``) and
annotations in a Deployment, patched by random strategic-merge patches (and sometimes a JSON
patch or a name prefix), built by the engine and by kubectl: outputs must be identical, or
both must fail. A bounded run here; ``python3 tests/engine/fidelity/test_random_nulls.py N``
runs N more trees (from the worktree root, with ``PYTHONPATH=.``)."""

import random
import sys

import pytest

from pytest_kustomize.errors import KustomizeError

EMPTY = ["", " null", " ~", " {}", " []", " Null", ' ""']
SCALARS = [" 1", " x", ' "0x1F"', " true", " 1.50", " 0x1F"]


def _value(rng, depth: int, indent: str) -> str:
    r = rng.random()
    if depth < 2 and r < 0.3:
        keys = rng.sample(["p", "q", "r", "s"], rng.randint(1, 3))
        lines = ["%s  %s:%s" % (indent, k, _value(rng, depth + 1, indent + "  ")) for k in keys]
        return "\n" + "\n".join(lines)
    if r < 0.65:
        return rng.choice(EMPTY)
    return rng.choice(SCALARS)


def _fields(rng, indent: str, names) -> str:
    return "".join("%s%s:%s\n" % (indent, k, _value(rng, 0, indent))
                   for k in rng.sample(names, rng.randint(1, len(names))))


def _deployment(rng) -> str:
    anns = rng.choice(EMPTY + [" {a: 1, b: null, c: 0x10}", "\n    a:\n    b: ~"])
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
            "  annotations:%s\n  labels:%s\nspec:\n  replicas: 1\n%s  template:\n"
            "    metadata:\n      labels:%s\n    spec:\n%s      containers:\n"
            "      - name: c\n        image: i\n%s"
            % (anns, rng.choice(EMPTY[:4] + [" {app: web}"]),
               _fields(rng, "  ", ["strategy", "selector", "paused", "extra"]),
               rng.choice(EMPTY[:4] + [" {app: web}"]),
               _fields(rng, "      ", ["nodeSelector", "affinity", "tolerations",
                                       "hostname", "securityContext"]),
               _fields(rng, "        ", ["env", "args", "resources", "ports"])))


def _patch(rng) -> str:
    body = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
    if rng.random() < 0.5:
        body += "  annotations:%s\n" % rng.choice([" {}", "", " {x: y}", " {a: null}", " null"])
    if rng.random() < 0.7:
        body += "spec:\n" + _fields(rng, "  ", ["replicas", "paused", "extra", "strategy"])
        if rng.random() < 0.5:
            body += "  template:\n    spec:\n" + _fields(rng, "      ", ["nodeSelector",
                                                                      "hostname"])
    return body


def _tree(rng) -> dict:
    files = {"r.yaml": _deployment(rng)}
    k = "resources: [r.yaml]\n"
    if rng.random() < 0.3:
        k += "namePrefix: p-\n"
    entries = []
    for i in range(rng.randint(1, 2)):
        files["p%d.yaml" % i] = _patch(rng)
        entries.append("- path: p%d.yaml\n" % i)
    if rng.random() < 0.3:
        entries.insert(rng.randint(0, len(entries)),
                       "- target: {kind: Deployment}\n  patch: '[{\"op\": \"add\", \"path\": "
                       "\"/spec/replicas\", \"value\": 3}]'\n")
    files["kustomization.yaml"] = k + "patches:\n" + "".join(entries)
    return files


def _compare(oracle, files) -> None:
    oracle.write(files)
    ref = oracle.kubectl()
    if ref.returncode != 0:
        with pytest.raises(KustomizeError):
            oracle.engine()
        return
    assert oracle.engine() == ref.stdout


@pytest.mark.parametrize("seed", range(25))
def test_random_null_trees(oracle, seed):
    _compare(oracle, _tree(random.Random(seed)))


if __name__ == "__main__":      # PYTHONPATH=. python3 tests/engine/fidelity/test_random_nulls.py N
    import tempfile
    sys.path.insert(0, ".")
    from tests.conftest import Oracle
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    bad = 0
    for seed in range(1000, 1000 + n):
        with tempfile.TemporaryDirectory() as d:
            try:
                _compare(Oracle(d), _tree(random.Random(seed)))
            except (AssertionError, pytest.fail.Exception) as e:
                bad += 1
                print("seed", seed, type(e).__name__, str(e)[:600])
    print("trees", n, "differences", bad)
