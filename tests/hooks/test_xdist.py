"""Under pytest-xdist (``-n 2``) every kind of item the plugin makes runs and gives the same
outcomes as a serial run: the render fixtures, overlay parametrization, YAML tests,
validation items, Flux tree items and snapshots (written with ``-n 2``, then checked and
failing with ``-n 2``). The examples directory, copied, is the user's repository."""
from __future__ import annotations

import os
import re
import shutil

import pytest

from pytest_kustomize.tools import tools_root

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = tools_root()                 # before pytester gives each test its own HOME
INI = """\
[pytest]
testpaths = examples
kustomize_validate = true
kustomize_validate_strict = true
kustomize_validate_crds = examples/shop/crds
kustomize_flux_trees =
    examples/shop/clusters/staging examples/shop
    examples/shop/clusters/production examples/shop
"""


@pytest.fixture
def project(pytester, monkeypatch):
    pytest.importorskip("xdist")
    for var in ("CI", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_ADDOPTS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", TOOLS)
    monkeypatch.setenv("PYTHONPATH", ROOT)        # this checkout, not another copy
    shutil.copytree(os.path.join(ROOT, "examples"), pytester.path / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", "__kustomize_snapshots__"))
    (pytester.path / "pytest.ini").write_text(INI)
    return pytester


def outcomes(result) -> dict:
    """{test id: outcome} from ``-rA`` summary lines (PASSED/FAILED/SKIPPED/ERROR id)."""
    out = {}
    for line in result.outlines:
        m = re.match(r"^(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS) (\S+(?: \S+)*?)"
                     r"(?: - .*)?$", line)
        if m:
            out[m.group(2)] = m.group(1)
    return out


def test_examples_give_the_same_outcomes_with_two_workers(project):
    update = project.runpytest_subprocess("-n", "2", "--kustomize-snapshot-update", "-rA",
                                          "-p", "no:cacheprovider")
    snaps = sorted(p.relative_to(project.path).as_posix()
                   for p in project.path.rglob("__kustomize_snapshots__/**/*.yaml"))
    assert snaps == ["examples/__kustomize_snapshots__/test_shop/"
                     "test_production_render_matches_snapshot.yaml"], update.stdout.str()
    serial = project.runpytest_subprocess("-rA", "-p", "no:cacheprovider")
    parallel = project.runpytest_subprocess("-n", "2", "-v", "-rA", "-p", "no:cacheprovider")
    s, p = outcomes(serial), outcomes(parallel)
    assert len(s) >= 30, serial.stdout.str()
    assert set(s.values()) == {"PASSED"}, serial.stdout.str()
    assert p == s, parallel.stdout.str()
    workers = set(re.findall(r"^\[(gw\d)\]", parallel.stdout.str(), re.M))
    assert workers == {"gw0", "gw1"}, parallel.stdout.str()        # both workers ran items
    kinds = {k.split("::")[-1].split("[")[0] for k in p}
    assert {"validate", "flux", "flux-dependsOn", "production runs three pinned replicas",
            "test_production_render_matches_snapshot"} <= kinds


def test_a_snapshot_mismatch_fails_on_its_worker(project):
    project.runpytest_subprocess("-n", "2", "--kustomize-snapshot-update", "-p",
                                 "no:cacheprovider", "examples/test_shop.py"
                                 ).assert_outcomes(passed=12)
    prod = project.path / "examples/shop/overlays/production/scale.yaml"
    text = prod.read_text()
    assert "replicas: 3" in text
    prod.write_text(text.replace("replicas: 3", "replicas: 5"))
    result = project.runpytest_subprocess("-n", "2", "-rA", "-p", "no:cacheprovider",
                                          "examples/test_shop.py")
    got = outcomes(result)
    failed = sorted(k for k, v in got.items() if v == "FAILED")
    assert failed == ["examples/test_shop.py::test_production_render_matches_snapshot",
                      "examples/test_shop.py::test_production_scales_out_and_pins_by_digest",
                      "examples/test_shop.py::test_staging_to_production_diff"
                      ], result.stdout.str()
    assert len(got) == 12 and list(got.values()).count("PASSED") == 9
    assert "replicas: 5" in result.stdout.str()
