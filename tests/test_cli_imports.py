"""What the package and the CLI's ``build`` load: GitPython, deepdiff, the Kubernetes client,
jsonschema and the validation/Flux code are imported when a feature needs them, not by
``import pytest_kustomize`` or ``python -m pytest_kustomize build`` (each of those costs tens
of milliseconds on every CLI call). Checked in a fresh interpreter's ``sys.modules``."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEAVY = ("git", "gitdb", "deepdiff", "pydantic", "kubernetes", "kubernetes_validate",
         "jsonschema", "referencing")
OWN_LAZY = ("pytest_kustomize.validation", "pytest_kustomize.flux", "pytest_kustomize.diff",
            "pytest_kustomize.gitdiff", "pytest_kustomize.cluster", "pytest_kustomize.assertions",
            "pytest_kustomize.policy", "pytest_kustomize.snapshot")

PROBE = """
import json, sys, runpy
mode = sys.argv[1]
if mode == "import":
    import pytest_kustomize
else:
    sys.argv = ["pytest-kustomize", "build", "-o", sys.argv[2], sys.argv[3]]
    try:
        runpy.run_module("pytest_kustomize", run_name="__main__")
    except SystemExit as e:
        assert not e.code, e.code
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(*args) -> list:
    p = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.splitlines()[-1])


def _offenders(mods: list) -> list:
    return [m for m in mods if m.split(".")[0] in HEAVY
            or any(m == o or m.startswith(o + ".") for o in OWN_LAZY)]


def test_import_pytest_kustomize_loads_no_heavy_module():
    assert _offenders(_loaded("import")) == []


def test_cli_build_loads_no_heavy_module(tmp_path):
    out = tmp_path / "out.yaml"
    mods = _loaded("build", str(out), os.path.join(ROOT, "examples", "overlays", "production"))
    assert "pytest_kustomize.engine.build" in mods      # the probe did render
    assert "kind: Deployment" in out.read_text()
    assert _offenders(mods) == []


def test_the_heavy_modules_still_load_when_used():
    """The lazy GitPython handle resolves (a render at a ref needs it)."""
    code = ("import sys; from pytest_kustomize.sources import gitpython;"
            "print(gitpython.Repo.__module__.split('.')[0], 'git' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["git", "True"]
